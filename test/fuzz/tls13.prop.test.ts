// certgate's TLS 1.3 server under mutated input (fast-check): planning a ClientHello never throws
// (anything unreadable goes to OpenSSL), and a handshake fed mutated client flights always ends in
// a value: 'failed' with an alert, or 'handshaking'. Only the untouched flight completes it.
import { createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryPipe } from '../../src/tls/memory-pipe.js';
import type { TlsSettings } from '../../src/tls/context.js';
import { Tls13Context, type Tls13Plan } from '../../src/tls/tls13/context.js';
import { Tls13Server } from '../../src/tls/tls13/server.js';
import { parseCertificates } from '../../src/verify/cert-facts.js';
import { Tls13TestClient } from '../helpers/tls13-client.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';

let pki: TestPki;
let ctx: Tls13Context;
let opensslHello: Buffer;

/** Flips, truncates or splices: mutations that keep most of the structure, so parsing goes deep. */
const mutation = fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }), cut: fc.nat(), insert: fc.uint8Array({ maxLength: 8 }) });
function mutate(b: Buffer, m: { at: number; xor: number; cut: number; insert: Uint8Array }, kind: number): Buffer {
  const out = Buffer.from(b);
  const at = m.at % out.length;
  if (kind === 0) out[at]! ^= m.xor;
  if (kind === 1) return out.subarray(0, m.cut % out.length);
  if (kind === 2) return Buffer.concat([out.subarray(0, at), Buffer.from(m.insert), out.subarray(at)]);
  return out;
}

beforeAll(async () => {
  pki = makeTestPki();
  const settings: TlsSettings = { certificate: pki.serverCert, privateKey: pki.serverKey, minVersion: '1.2', sessionLifetimeSeconds: 3600 };
  ctx = new Tls13Context(settings, randomBytes(48));
  const pipe = new MemoryPipe();
  const m = pki.member('alice');
  const s = tls.connect({ socket: pipe, ca: readFileSync(pki.caCert), cert: readFileSync(m.cert), key: readFileSync(m.key), checkServerIdentity: () => undefined });
  s.on('error', () => undefined);
  for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r));
  opensslHello = pipe.collect();
  s.destroy();
});

describe('TLS 1.3 server under mutated input', () => {
  it('plans or refuses every mutated ClientHello without throwing', () => {
    expect(typeof ctx.plan(opensslHello)).toBe('object');
    fc.assert(
      fc.property(mutation, fc.integer({ min: 0, max: 2 }), (m, kind) => {
        const plan = ctx.plan(mutate(opensslHello, m, kind));
        if (typeof plan === 'string') return;
        // A plan made from a mutated hello must still give a value (not an exception) when run.
        const step = new Tls13Server(ctx, plan).step(Buffer.alloc(0));
        expect(['handshaking', 'failed']).toContain(step.state);
      }),
      { numRuns: 2000 },
    );
  });

  it('fails, never throws and never establishes, on a mutated client flight', () => {
    const chain = parseCertificates(readFileSync(pki.member('alice').cert));
    const key = createPrivateKey(readFileSync(pki.member('alice').key));
    fc.assert(
      fc.property(mutation, fc.integer({ min: 0, max: 2 }), (m, kind) => {
        const client = new Tls13TestClient({ chain, key });
        const hello = client.hello();
        const server = new Tls13Server(ctx, ctx.plan(hello) as Tls13Plan);
        const flight = client.flight(server.step(hello).output);
        const mutated = mutate(flight, m, kind);
        if (mutated.equals(flight)) return;
        const step = server.step(mutated);
        // The only bytes a receiver ignores: legacy_record_version of the unprotected ChangeCipherSpec
        // (RFC 8446 5.1; a protected record's header is its additional data).
        if (kind === 0 && [1, 2].includes(m.at % flight.length)) return;
        // A record cut short waits for the rest; anything else is refused with an alert.
        expect(step.state).not.toBe('established');
        if (step.state === 'failed') expect(step.output.length > 0 || /client sent alert/.test(step.error ?? '')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

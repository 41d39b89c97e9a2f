// The conversation state machine under random response sequences (fast-check): it never throws,
// every outcome is challenge/accept/reject/drop, every challenge is a well-formed EAP-Request with
// a State, and the table stays within all of its limits whatever the peers send.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { EapServer, type EapResult, type EapSettings } from '../../src/eap/eap-server.js';
import { EapCode, EapType, decodeEap, encodeEap } from '../../src/eap/packet.js';
import { TlsFlag, encodeTlsFrame, fragment } from '../../src/eap/tls-framing.js';
import { MemoryPipe } from '../../src/tls/memory-pipe.js';
import type { Decision } from '../../src/verify/reasons.js';
import { localHandshakes } from '../helpers/eap-peer.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';

const accept: Decision = { result: 'accept', reason: 'ok', member: 'alice@jaist.ac.jp', serial: '01', issuer: 'x' };
const settings: EapSettings = { fragmentSize: 300, maxMessageBytes: 16_384, maxRounds: 12, idleTimeoutSeconds: 30, maxConversations: 12, maxConversationsPerClient: 8, maxConversationsPerStation: 3 };
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

/** A real first flight from OpenSSL (TLS 1.2 and 1.3 ClientHellos) to mutate. */
async function clientHello(pki: TestPki, maxVersion: tls.SecureVersion): Promise<Buffer> {
  const pipe = new MemoryPipe();
  const m = pki.member('alice');
  const s = tls.connect({ socket: pipe, ca: readFileSync(pki.caCert), cert: readFileSync(m.cert), key: readFileSync(m.key), maxVersion, checkServerIdentity: () => undefined });
  s.on('error', () => undefined);
  for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r));
  const hello = pipe.collect();
  s.destroy();
  return hello;
}

type Body =
  | { kind: 'tls'; flags: number; payload: Buffer; totalLength: number }
  | { kind: 'hello'; which: number; cut: number; flip: number; fragmentSize: number }
  | { kind: 'ack' }
  | { kind: 'nak'; data: Buffer }
  | { kind: 'type'; type: number; data: Buffer }
  | { kind: 'raw'; data: Buffer };

type Action =
  | { kind: 'new'; client: number; station: number; identity: string; id: number }
  | { kind: 'respond'; conv: number; idOffset: number; body: Body }
  | { kind: 'stale'; state: Buffer; body: Body }
  | { kind: 'tick'; ms: number };

const body: fc.Arbitrary<Body> = fc.oneof(
  fc.record({ kind: fc.constant('tls' as const), flags: fc.integer({ min: 0, max: 255 }), payload: bytes(600), totalLength: fc.nat({ max: 40_000 }) }),
  fc.record({ kind: fc.constant('hello' as const), which: fc.nat(1), cut: fc.nat(), flip: fc.nat(), fragmentSize: fc.integer({ min: 16, max: 2000 }) }),
  fc.constant({ kind: 'ack' as const }),
  fc.record({ kind: fc.constant('nak' as const), data: bytes(4) }),
  fc.record({ kind: fc.constant('type' as const), type: fc.integer({ min: 0, max: 255 }), data: bytes(50) }),
  fc.record({ kind: fc.constant('raw' as const), data: bytes(80) }),
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('new' as const), client: fc.nat(3), station: fc.nat(5), identity: fc.string({ maxLength: 40 }), id: fc.nat(255) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('respond' as const), conv: fc.nat(), idOffset: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 255 }) }), body }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stale' as const), state: fc.uint8Array({ minLength: 0, maxLength: 20 }).map((a) => Buffer.from(a)), body }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.nat(40_000) }) },
);

describe('EapServer state machine under random peers', () => {
  let pki: TestPki;
  let hellos: Buffer[];
  beforeAll(async () => {
    pki = makeTestPki();
    hellos = [await clientHello(pki, 'TLSv1.3'), await clientHello(pki, 'TLSv1.2')];
  });

  function typeData(b: Body, pending: Buffer[]): Buffer | undefined {
    switch (b.kind) {
      case 'tls':
        return encodeTlsFrame(b.flags, b.payload, b.totalLength);
      case 'hello': {
        const h = Buffer.from(hellos[b.which]!);
        if (b.flip % 3 === 0 && h.length) h[b.flip % h.length]! ^= 0x5a;
        const msg = b.cut % 4 === 0 ? h.subarray(0, b.cut % h.length) : h;
        const frames = fragment(msg.length ? msg : h, b.fragmentSize);
        pending.push(...frames.slice(1));
        return frames[0];
      }
      case 'ack':
        return pending.shift() ?? encodeTlsFrame(0, Buffer.alloc(0));
      default:
        return undefined;
    }
  }

  function eapFor(b: Body, id: number, pending: Buffer[]): Buffer {
    if (b.kind === 'nak') return encodeEap(EapCode.Response, id, EapType.Nak, b.data);
    if (b.kind === 'type') return encodeEap(EapCode.Response, id, b.type, b.data);
    if (b.kind === 'raw') return b.data;
    return encodeEap(EapCode.Response, id, EapType.Tls, typeData(b, pending)!);
  }

  function checkResult(r: EapResult): void {
    expect(['challenge', 'accept', 'reject', 'drop']).toContain(r.kind);
    if (r.kind === 'drop') {
      expect(typeof r.reason).toBe('string');
      return;
    }
    const d = decodeEap(r.eap);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const code = { challenge: EapCode.Request, accept: EapCode.Success, reject: EapCode.Failure }[r.kind];
    expect(d.packet.code).toBe(code);
    if (r.kind === 'challenge') {
      expect(r.state.length).toBe(16);
      expect(d.packet.type).toBe(EapType.Tls);
      expect(r.eap.length).toBeLessThanOrEqual(settings.fragmentSize + 10);
    }
    if (r.kind === 'reject') expect(r.decision.result).toBe('reject');
  }

  it('never throws, answers within the protocol, and stays within every limit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), async (actions) => {
        const eap = new EapServer(settings, localHandshakes(pki), async () => accept);
        const convs: { state: Buffer; id: number; client: string; station: string; pending: Buffer[] }[] = [];
        let now = Date.parse('2026-03-01T00:00:00Z');
        try {
          for (const a of actions) {
            let r: EapResult;
            if (a.kind === 'tick') {
              now += a.ms;
              eap.sweep(new Date(now));
              continue;
            }
            if (a.kind === 'new') {
              const facts = { framedMtu: undefined, client: `nas${a.client}`, callingStationId: `st${a.station}` };
              r = await eap.handle(encodeEap(EapCode.Response, a.id, EapType.Identity, Buffer.from(a.identity)), undefined, facts, new Date(now));
              if (r.kind === 'challenge') convs.push({ state: r.state, id: decodeEap(r.eap).ok ? r.eap[1]! : 0, client: facts.client, station: facts.callingStationId, pending: [] });
            } else if (a.kind === 'stale') {
              r = await eap.handle(eapFor(a.body, 1, []), a.state.length ? a.state : undefined, { framedMtu: undefined, client: 'nas9', callingStationId: undefined }, new Date(now));
            } else {
              if (convs.length === 0) continue;
              const c = convs[a.conv % convs.length]!;
              r = await eap.handle(eapFor(a.body, (c.id + a.idOffset) & 0xff, c.pending), c.state, { framedMtu: undefined, client: c.client, callingStationId: c.station }, new Date(now));
              if (r.kind === 'challenge') c.id = r.eap[1]!;
            }
            checkResult(r);
            expect(eap.table.size).toBeLessThanOrEqual(settings.maxConversations);
            for (let i = 0; i < 4; i++) expect(eap.table.countFor('client', `nas${i}`)).toBeLessThanOrEqual(settings.maxConversationsPerClient);
            for (let i = 0; i < 6; i++) expect(eap.table.countFor('station', `st${i}`)).toBeLessThanOrEqual(settings.maxConversationsPerStation);
          }
        } finally {
          eap.close();
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

// certgate's TLS 1.3 server (src/tls/tls13/): what it does with a well-behaved client, with every
// fault a client can commit in the messages it checks, and which ClientHellos it leaves to OpenSSL.
// Real clients (node:tls here and in test/eap, eapol_test in test/interop) show interoperability.
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MemoryPipe } from '../../../src/tls/memory-pipe.js';
import tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TlsSettings } from '../../../src/tls/context.js';
import { HandshakeFactory } from '../../../src/tls/handshake-factory.js';
import { Tls13Context } from '../../../src/tls/tls13/context.js';
import { GROUPS } from '../../../src/tls/tls13/key-exchange.js';
import { Tls13Server } from '../../../src/tls/tls13/server.js';
import { parseCertificates } from '../../../src/verify/cert-facts.js';
import { type ClientOptions, Tls13TestClient } from '../../helpers/tls13-client.js';
import { type TestPki, makeTestPki } from '../../helpers/pki.js';

let pki: TestPki;
let settings: TlsSettings;
const ticketKeys = randomBytes(48);
const member = (name: string) => ({ chain: parseCertificates(readFileSync(pki.member(name).cert)), key: createPrivateKey(readFileSync(pki.member(name).key)) });

beforeAll(() => {
  pki = makeTestPki();
  settings = { certificate: pki.serverCert, privateKey: pki.serverKey, minVersion: '1.2', sessionLifetimeSeconds: 3600 };
});

/** One handshake of the test client against a fresh server; what each side ended with. */
function run(o: Partial<ClientOptions> = {}, ctx = new Tls13Context(settings, ticketKeys)) {
  const client = new Tls13TestClient({ ...member('alice'), ...o });
  const hello = client.hello();
  const plan = ctx.plan(hello);
  if (typeof plan === 'string') return { client, plan };
  const server = new Tls13Server(ctx, plan);
  const first = server.step(hello);
  if (first.state !== 'handshaking') return { client, plan, first };
  const second = server.step(client.flight(first.output));
  if (second.state === 'established') client.final(second.output);
  return { client, plan, first, second };
}

describe('TLS 1.3 server: a well-behaved client', () => {
  it('completes a full handshake: the client certificate, the same MSK on both sides, a ticket and the commitment', () => {
    const { client, second } = run();
    expect(second?.state).toBe('established');
    expect(second?.session?.peerChain).toEqual(member('alice').chain);
    expect(second?.session?.resumed).toBe(false);
    expect(second?.session?.msk.equals(client.msk())).toBe(true);
    expect(client.committed).toBe(true);
    expect(client.ticket?.lifetime).toBe(3600);
  });

  it('resumes from its ticket: no certificate exchanged, the session names the certificate by SHA-256', () => {
    const ctx = new Tls13Context(settings, ticketKeys);
    const first = run({}, ctx);
    const { client, plan, second } = run({ resume: first.client.ticket! }, ctx);
    expect(typeof plan === 'object' && plan.resume).toBeTruthy();
    expect(client.resumed).toBe(true);
    expect(second?.state).toBe('established');
    expect(second?.session).toMatchObject({ resumed: true, peerChain: [] });
    expect(second?.session?.peerLeafSha256).toEqual(createHash('sha256').update(member('alice').chain[0]!).digest());
    expect(second?.session?.msk.equals(client.msk())).toBe(true);
    // A new ticket, still counted from the full handshake's authentication.
    expect(client.ticket?.lifetime).toBeLessThanOrEqual(3600);
  });

  it('takes P-256 when the client shares no X25519 key', () => {
    const { plan } = run({ shares: ['secp256r1'], groups: [0x0017] });
    expect(typeof plan === 'object' && plan.group).toBe(0x0017);
  });

  it('answers a client without a session ID without the compatibility ChangeCipherSpec', () => {
    const { first, second } = run({ sessionId: false });
    expect(first?.output[5 + first.output.readUInt16BE(3)]).toBe(23); // SH record, then straight to protected records
    expect(second?.state).toBe('established');
  });

  it('resumes from the second identity offered when the first is not a ticket of ours', () => {
    const ctx = new Tls13Context(settings, ticketKeys);
    const first = run({}, ctx);
    const { plan, second } = run({ resume: first.client.ticket!, unknownIdentityFirst: true }, ctx);
    expect(typeof plan === 'object' && plan.resume?.index).toBe(1);
    expect(second?.session?.resumed).toBe(true);
  });
});

describe('TLS 1.3 server: faults end the handshake with the alert RFC 8446 names', () => {
  const cases: [ClientOptions['fault'], string][] = [
    ['cv-wrong-key', 'decrypt_error'],
    ['cv-pkcs1', 'illegal_parameter'],
    ['no-cv', 'unexpected_message'],
    ['bad-finished', 'decrypt_error'],
    ['flip-record', 'bad_record_mac'],
    ['trailing-record', 'unexpected_message'],
    ['empty-record', 'unexpected_message'],
    ['ccs-inside-message', 'unexpected_message'],
    ['cert-extension', 'unsupported_extension'],
  ];
  for (const [fault, alert] of cases) {
    it(`${fault}: ${alert}, sent under the server's application keys`, () => {
      const { second } = run({ fault, otherKey: member('bob').key });
      expect(second?.state).toBe('failed');
      expect(second?.error).toContain(alert);
      expect(second?.session).toBeUndefined();
      // One protected record (the alert), never a plaintext one after the keys changed.
      expect(second?.output[0]).toBe(23);
      expect(second?.output.length).toBe(5 + 2 + 1 + 16);
    });
  }

  it('no certificate: certificate_required, and no keys (the decision reason is no_certificate)', () => {
    const { second } = run({ chain: [] });
    expect(second).toMatchObject({ state: 'failed', reason: 'no_certificate' });
    expect(second?.error).toContain('certificate_required');
    expect(second?.session).toBeUndefined();
  });

  it('a forged PSK binder: decrypt_error, no session', () => {
    const ctx = new Tls13Context(settings, ticketKeys);
    const first = run({}, ctx);
    const { first: step } = run({ resume: first.client.ticket!, fault: 'bad-binder' }, ctx);
    expect(step?.state).toBe('failed');
    expect(step?.error).toContain('decrypt_error');
    expect(step?.output).toEqual(Buffer.from([21, 3, 3, 0, 2, 2, 51])); // plaintext: no keys yet
  });

  it('the client alert ends the handshake without an answer', () => {
    const client = new Tls13TestClient(member('alice'));
    const ctx = new Tls13Context(settings, ticketKeys);
    const hello = client.hello();
    const server = new Tls13Server(ctx, ctx.plan(hello) as Exclude<ReturnType<Tls13Context['plan']>, string>);
    server.step(hello);
    const step = server.step(Buffer.from([21, 3, 3, 0, 2, 2, 48]));
    expect(step).toMatchObject({ state: 'failed', error: 'the client sent alert 48' });
    expect(step.output.length).toBe(0);
  });
});

describe('TLS 1.3 server: tickets', () => {
  it('a ticket under other keys, or past the session lifetime, means a full handshake', () => {
    const first = run({}, new Tls13Context(settings, ticketKeys));
    const other = run({ resume: first.client.ticket! }, new Tls13Context(settings, randomBytes(48)));
    expect(typeof other.plan === 'object' && other.plan.resume).toBeUndefined();
    expect(other.second?.session?.resumed).toBe(false);
    const later = new Tls13Context(settings, ticketKeys, () => Date.now() + 3601_000);
    const expired = run({ resume: first.client.ticket! }, later);
    expect(typeof expired.plan === 'object' && expired.plan.resume).toBeUndefined();
  });

  it('no tickets when resumption is off: only the commitment message follows the Finished', () => {
    const { client, second } = run({}, new Tls13Context({ ...settings, sessionLifetimeSeconds: 0 }, ticketKeys));
    expect(second?.state).toBe('established');
    expect(client.ticket).toBeUndefined();
    expect(client.committed).toBe(true);
  });
});

describe('which ClientHellos OpenSSL takes', () => {
  const route = (o: Partial<ClientOptions>) => new Tls13Context(settings, ticketKeys).plan(new Tls13TestClient({ ...member('alice'), ...o }).hello());
  it.each([
    [{ versions: [0x0303] }, 'not_tls13'],
    [{ earlyData: true }, 'early_data'],
    [{ suites: [0x1304] }, 'no_common_suite'],
    [{ shares: [], groups: [0x001d] }, 'no_key_share'],
    [{ shares: ['x25519'], groups: [0x0017] }, 'no_key_share'],
  ] as [Partial<ClientOptions>, string][])('%j → %s', (o, why) => {
    expect(route(o)).toBe(why);
  });

  it('a resumption with a ticket OpenSSL issued goes back to OpenSSL', () => {
    const identity = Buffer.concat([ticketKeys.subarray(0, 16), randomBytes(100)]);
    expect(route({ resume: { identity, psk: randomBytes(32), ageAdd: 0, lifetime: 0 } })).toBe('openssl_ticket');
  });

  it('bytes that are not a ClientHello are OpenSSL’s to refuse', () => {
    const ctx = new Tls13Context(settings, ticketKeys);
    expect(ctx.plan(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toBe('unreadable');
    expect(ctx.plan(Buffer.from([22, 3, 1, 0, 4, 1, 0, 0, 9]))).toBe('unreadable');
  });

  it('tls13Server: openssl sends every handshake to OpenSSL', () => {
    const f = new HandshakeFactory({ ...settings, tls13Server: 'openssl' }, ticketKeys, undefined);
    expect(f.route(new Tls13TestClient(member('alice')).hello())).toEqual({ engine: 'openssl', why: 'configured' });
  });
});

describe('TLS 1.3 server with OpenSSL as the client (node:tls)', () => {
  // X25519MLKEM768 needs ML-KEM in the runtime (Node 24, OpenSSL 3.5); elsewhere the client cannot offer it either.
  const groups = ['X25519', 'P-256', ...(GROUPS.includes(0x11ec) ? ['X25519MLKEM768'] : [])];
  it(`hands over the same exporter keys node:tls derives, for every cipher suite and group (${groups.join(', ')})`, async () => {
    for (const [ciphers, ecdhCurve] of [
      ['TLS_AES_128_GCM_SHA256', groups[0]!],
      ['TLS_AES_256_GCM_SHA384', groups[1]!],
      ['TLS_CHACHA20_POLY1305_SHA256', groups.at(-1)!],
    ]) {
      const pipe = new MemoryPipe();
      const socket = tls.connect({
        socket: pipe,
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.member('alice').cert),
        key: readFileSync(pki.member('alice').key),
        minVersion: 'TLSv1.3',
        ciphers,
        ecdhCurve,
        checkServerIdentity: () => undefined,
      });
      socket.on('error', () => undefined);
      const turns = async () => {
        for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r));
      };
      const factory = new HandshakeFactory(settings, ticketKeys, undefined);
      await turns();
      const hello = pipe.collect();
      const route = factory.route(hello);
      expect(route.engine).toBe('certgate');
      const server = factory.open(hello, route);
      pipe.deliver((await server.feed(hello)).output);
      await turns();
      const done = await server.feed(pipe.collect());
      expect(done.state, done.error).toBe('established');
      pipe.deliver(done.output);
      await turns();
      expect(socket.getCipher().standardName).toBe(ciphers);
      expect(route.engine === 'certgate' && route.plan.group).toBe({ X25519: 0x001d, 'P-256': 0x0017, X25519MLKEM768: 0x11ec }[ecdhCurve]);
      const km = socket.exportKeyingMaterial(128, 'EXPORTER_EAP_TLS_Key_Material', Buffer.from([0x0d]));
      expect(done.session?.msk.equals(km.subarray(0, 64))).toBe(true);
      socket.destroy();
    }
  });
});

describe('key exchange', () => {
  it('refuses small-order X25519 points and P-256 shares off the curve (illegal_parameter)', async () => {
    const { keyExchange } = await import('../../../src/tls/tls13/key-exchange.js');
    expect(() => keyExchange(0x001d, Buffer.alloc(32))).toThrow(/illegal_parameter/);
    expect(() => keyExchange(0x001d, Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]))).toThrow(/illegal_parameter/);
    expect(() => keyExchange(0x001d, Buffer.alloc(31))).toThrow(/illegal_parameter/);
    expect(() => keyExchange(0x0017, Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]))).toThrow(/illegal_parameter/);
    expect(() => keyExchange(0x0017, Buffer.concat([Buffer.from([2]), Buffer.alloc(32, 1)]))).toThrow(/illegal_parameter/);
  });
});

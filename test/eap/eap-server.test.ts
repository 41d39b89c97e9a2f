// The EAP state machine end to end in memory: a real node:tls client (OpenSSL) as the peer,
// small fragments both ways, and the MSK checked against the client's own exporter.
import type tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { EapServer } from '../../src/eap/eap-server.js';
import { EapCode, EapType, decodeEap, encodeEap } from '../../src/eap/packet.js';
import { TlsFlag, encodeTlsFrame } from '../../src/eap/tls-framing.js';
import type { Decision } from '../../src/verify/reasons.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { localHandshakes, peerLogin } from '../helpers/eap-peer.js';

const accept: Decision = { result: 'accept', reason: 'ok', member: 'alice@jaist.ac.jp', serial: '01', issuer: 'x' };
const settings = { fragmentSize: 1024, maxMessageBytes: 65536, maxRounds: 60, idleTimeoutSeconds: 30, maxConversations: 100 };

async function login(eap: EapServer, pki: TestPki, opts: { maxVersion: tls.SecureVersion; peerFragment: number; framedMtu: number }) {
  return peerLogin(eap, pki, opts);
}

describe('EapServer with an in-memory OpenSSL peer', () => {
  let pki: TestPki;
  let eap: EapServer;
  beforeAll(() => {
    pki = makeTestPki();
    eap = new EapServer(settings, localHandshakes(pki), async () => accept);
  });

  for (const [maxVersion, label, context] of [
    ['TLSv1.3', 'EXPORTER_EAP_TLS_Key_Material', Buffer.from([0x0d])],
    ['TLSv1.2', 'client EAP encryption', undefined],
  ] as const) {
    it(`completes ${maxVersion} with 200-byte MTU server fragments and 100-byte peer fragments; MSK matches the peer's`, async () => {
      const { r, socket, serverFragments } = await login(eap, pki, { maxVersion, peerFragment: 100, framedMtu: 200 });
      expect(r.kind).toBe('accept');
      if (r.kind !== 'accept') return;
      expect(serverFragments).toBeGreaterThan(5);
      expect(r.summary.tlsVersion).toBe(maxVersion);
      const km = context
        ? socket.exportKeyingMaterial(128, label, context)
        : (socket.exportKeyingMaterial as (n: number, l: string, c?: Buffer) => Buffer).call(socket, 128, label, undefined);
      expect(r.msk.equals(km.subarray(0, 64))).toBe(true);
      expect(decodeEap(r.eap)).toMatchObject({ ok: true, packet: { code: EapCode.Success } });
      expect(eap.table.size).toBe(0);
    });
  }

  it('ends in EAP-Failure with the decision when the authorizer rejects', async () => {
    const refusing = new EapServer(settings, localHandshakes(pki), async () => ({ ...accept, result: 'reject', reason: 'superseded' }));
    const { r } = await login(refusing, pki, { maxVersion: 'TLSv1.3', peerFragment: 1000, framedMtu: 1400 });
    expect(r).toMatchObject({ kind: 'reject', decision: { reason: 'superseded' } });
    expect(r.kind === 'reject' && decodeEap(r.eap)).toMatchObject({ ok: true, packet: { code: EapCode.Failure } });
  });

  it('rejects a NAK, an unknown State, and a conversation that does not start with Identity', async () => {
    const start = await eap.handle(encodeEap(EapCode.Response, 5, EapType.Identity, Buffer.from('bob@jaist.ac.jp')), undefined, { framedMtu: undefined }, new Date());
    expect(start.kind).toBe('challenge');
    if (start.kind !== 'challenge') return;
    const nak = await eap.handle(encodeEap(EapCode.Response, 6, EapType.Nak, Buffer.from([21])), start.state, { framedMtu: undefined }, new Date());
    expect(nak).toMatchObject({ kind: 'reject', decision: { reason: 'eap_method_refused' } });
    const unknown = await eap.handle(encodeEap(EapCode.Response, 6, EapType.Tls, Buffer.from([0])), Buffer.alloc(16, 1), { framedMtu: undefined }, new Date());
    expect(unknown).toMatchObject({ kind: 'reject', decision: { reason: 'eap_protocol' } });
    const noIdentity = await eap.handle(encodeEap(EapCode.Response, 6, EapType.Tls, Buffer.from([0])), undefined, { framedMtu: undefined }, new Date());
    expect(noIdentity).toMatchObject({ kind: 'reject', decision: { reason: 'eap_protocol' } });
  });

  it('drops a response whose EAP Identifier does not match, and malformed EAP', async () => {
    const start = await eap.handle(encodeEap(EapCode.Response, 5, EapType.Identity, Buffer.from('bob@jaist.ac.jp')), undefined, { framedMtu: undefined }, new Date());
    if (start.kind !== 'challenge') throw new Error('no challenge');
    const wrongId = await eap.handle(encodeEap(EapCode.Response, 99, EapType.Tls, Buffer.from([0])), start.state, { framedMtu: undefined }, new Date());
    expect(wrongId).toEqual({ kind: 'drop', reason: 'eap_identifier_mismatch' });
    const bad = await eap.handle(Buffer.from('0206ffff0d00', 'hex'), start.state, { framedMtu: undefined }, new Date());
    expect(bad).toEqual({ kind: 'drop', reason: 'malformed' });
  });

  it('refuses a TLS message announced over the reassembly limit', async () => {
    const start = await eap.handle(encodeEap(EapCode.Response, 5, EapType.Identity, Buffer.from('bob@jaist.ac.jp')), undefined, { framedMtu: undefined }, new Date());
    if (start.kind !== 'challenge') throw new Error('no challenge');
    const huge = encodeTlsFrame(TlsFlag.Length | TlsFlag.More, Buffer.alloc(10), 1 << 20);
    const r = await eap.handle(encodeEap(EapCode.Response, 6, EapType.Tls, huge), start.state, { framedMtu: undefined }, new Date());
    expect(r).toMatchObject({ kind: 'reject', decision: { reason: 'eap_protocol', detail: 'eaptls_too_large' } });
  });

  it('holds no TLS state for a conversation abandoned after the Start, and expires it when idle', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const small = new EapServer({ ...settings, idleTimeoutSeconds: 30 }, localHandshakes(pki), async () => accept);
    for (let i = 0; i < 10; i++) await small.handle(encodeEap(EapCode.Response, i, EapType.Identity, Buffer.from(`u${i}@jaist.ac.jp`)), undefined, { framedMtu: undefined }, t0);
    expect(small.table.size).toBe(10);
    expect(small.sweep(new Date(t0.getTime() + 29_000))).toBe(0);
    expect(small.sweep(new Date(t0.getTime() + 31_000))).toBe(10);
    expect(small.table.size).toBe(0);
  });
});

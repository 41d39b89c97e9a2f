// The OCSP responder in-process, with time passed in: statuses from the decision pipeline's
// standing step, nonce rules (RFC 8954), issuers (unauthorized), the response cache (never a stale
// `good` after a revocation), and the checks on its own certificate. Every signed response is
// verified by certgate's own OCSP client code (src/revocation/ocsp-codec.ts): signature, delegated
// signer, CertID, nonce, thisUpdate/nextUpdate.
import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse, id_pkix_ocsp_extended_revoke, id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import { decodeGetRequest } from '../../src/http/ocsp-route.js';
import { OcspResponder } from '../../src/ocsp/responder.js';
import { caInfo } from '../../src/revocation/ca-info.js';
import { TAG, encodeOid, encodeIntegerHex, tlv } from '../../src/revocation/der.js';
import { encodeOcspRequest, verifyOcspResponse } from '../../src/revocation/ocsp-codec.js';
import type { CertRecord } from '../../src/store/types.js';
import type { RevocationFact } from '../../src/revocation/types.js';
import type { Decision } from '../../src/verify/reasons.js';
import { certFacts, parseCertificates } from '../../src/verify/cert-facts.js';
import { storeStanding } from '../../src/verify/standing.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';

// The next full hour plus 0.4 s: after the test PKI's notBefore (made at the start of the run),
// and with a sub-second part that the responder must drop from its times.
const HOUR = new Date(Math.ceil((Date.now() + 1000) / 3_600_000) * 3_600_000);
const NOW = new Date(HOUR.getTime() + 400);
const der = (f: string) => parseCertificates(readFileSync(f))[0]!;

describe('OCSP responder', () => {
  let pki: TestPki;
  let records: Map<string, CertRecord>;
  let responder: OcspResponder;
  let ca: ReturnType<typeof caInfo>;
  const serialOf = (m: string) => certFacts(der(pki.member(m).cert)).serial;
  const record = (m: string, over: Partial<CertRecord> = {}): CertRecord => {
    const f = certFacts(der(pki.member(m).cert));
    return { issuer: f.issuer, serial: f.serial, fingerprint: f.fingerprint, member: f.member!, subject: f.subject, notBefore: f.notBefore, notAfter: f.notAfter, status: 'valid', revocationReason: null, revokedAt: null, supersededBy: null, addedAt: new Date('2026-01-01T00:00:00Z'), seq: 1, ...over };
  };
  const put = (r: CertRecord) => records.set(`${r.issuer}\u0000${r.serial}`, r);
  const make = (validitySeconds = 600) =>
    new OcspResponder({
      certificate: readFileSync(pki.ocspCert),
      privateKey: createPrivateKey(readFileSync(pki.ocspKey)),
      anchors: [der(pki.caCert)],
      standing: (issuer, serial) => storeStanding({ lookup: (i, s) => records.get(`${i}\u0000${s}`) }, issuer, serial, null),
      validitySeconds,
    });
  const ask = async (m: string, nonce?: Buffer, at = NOW, r = responder) => r.respond(encodeOcspRequest(ca, serialOf(m), nonce), at);
  const check = (m: string, resp: Buffer, nonce?: Buffer, at = NOW) => verifyOcspResponse(resp, { issuer: ca, serial: serialOf(m), now: at, nonce });
  const responseExtensions = (resp: Buffer) => {
    const o = AsnConvert.parse(resp, OCSPResponse);
    return AsnConvert.parse(o.responseBytes!.response.buffer, BasicOCSPResponse).tbsResponseData.responseExtensions?.map((e) => e.extnID) ?? [];
  };

  beforeAll(() => {
    pki = makeTestPki();
    ca = caInfo(der(pki.caCert));
    records = new Map();
    const renewal = record('alice');
    put(renewal);
    put(record('alice-old', { status: 'superseded', supersededBy: renewal.serial }));
    put(record('bob'));
    put(record('carol', { status: 'revoked', revocationReason: 'keyCompromise', revokedAt: new Date('2026-11-20T08:00:00Z') }));
    responder = make();
  });

  it('good for a current member certificate, with thisUpdate, nextUpdate and producedAt in whole seconds', async () => {
    const a = await ask('alice');
    expect(a.statuses).toEqual(['good']);
    const v = check('alice', a.der);
    expect(v.ok && v.answer).toMatchObject({ status: 'good', thisUpdate: HOUR, nextUpdate: new Date(HOUR.getTime() + 600_000), producedAt: HOUR });
    expect(v.ok && v.answer.signer).toMatch(/OCSP Responder/);
    expect(responseExtensions(a.der)).toEqual([]);
  });

  it('revoked with the store reason and time; superseded → reason superseded at the renewal notBefore', async () => {
    const carol = check('carol', (await ask('carol')).der);
    expect(carol.ok && carol.answer).toMatchObject({ status: 'revoked', reason: 1, revokedAt: new Date('2026-11-20T08:00:00Z') });
    const old = check('alice-old', (await ask('alice-old')).der);
    expect(old.ok && old.answer).toMatchObject({ status: 'revoked', reason: 4, revokedAt: new Date(Math.floor(record('alice').notBefore.getTime() / 1000) * 1000) });
  });

  it('never issued → revoked, certificateHold, 1970-01-01, with the Extended Revoked Definition extension', async () => {
    const a = await ask('eve');
    expect(a.statuses).toEqual(['not_issued']);
    const v = check('eve', a.der);
    expect(v.ok && v.answer).toMatchObject({ status: 'revoked', reason: 6, revokedAt: new Date(0) });
    expect(responseExtensions(a.der)).toEqual([id_pkix_ocsp_extended_revoke]);
  });

  it('echoes the nonce (and signs afresh); refuses nonces of 0 or more than 32 octets (RFC 8954)', async () => {
    const nonce = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const a = await ask('bob', nonce);
    expect(a).toMatchObject({ nonce: true, signed: 'nonce' });
    const v = check('bob', a.der, nonce);
    expect(v.ok && v.answer.nonceEchoed).toBe(true);
    expect(responseExtensions(a.der)).toEqual([id_pkix_ocsp_nonce]);
    expect((await ask('bob', Buffer.alloc(32, 1))).statuses).toEqual(['good']);
    expect((await ask('bob', Buffer.alloc(33, 1))).statuses).toEqual(['malformedRequest']);
    expect((await ask('bob', Buffer.alloc(0))).statuses).toEqual(['malformedRequest']);
  });

  it('answers malformedRequest (unsigned) to anything that is not one request', async () => {
    for (const junk of [Buffer.alloc(0), Buffer.from('junk'), Buffer.from([0x30, 0x03, 0x30, 0x01]), Buffer.concat([encodeOcspRequest(ca, '01'), Buffer.from([0])])]) {
      const a = await responder.respond(junk, NOW);
      expect(a).toMatchObject({ statuses: ['malformedRequest'], signed: null, thisUpdate: null });
      expect(a.der).toEqual(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]));
    }
  });

  it('answers unauthorized for an issuer it does not serve, even beside one it does', async () => {
    const other = caInfo(der(pki.otherCaCert));
    expect(await responder.respond(encodeOcspRequest(other, '01'), NOW)).toMatchObject({ statuses: ['unauthorized'] });
    expect((await responder.respond(encodeOcspRequest(other, '01'), NOW)).der).toEqual(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x06]));
    // Two CertIDs, SHA-256 hashes: ours is answered, a foreign one makes the whole request unauthorized.
    const certId = (c: typeof ca, serial: string) => {
      const sha256 = '2.16.840.1.101.3.4.2.1';
      const h = (b: Buffer) => createHash('sha256').update(b).digest();
      return tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, encodeOid(sha256)), tlv(TAG.OCTET_STRING, h(c.subjectDer)), tlv(TAG.OCTET_STRING, h(c.keyBits)), encodeIntegerHex(serial));
    };
    const req = (...ids: Buffer[]) => tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, ...ids.map((id) => tlv(TAG.SEQUENCE, id)))));
    expect((await responder.respond(req(certId(ca, serialOf('alice')), certId(ca, serialOf('carol'))), NOW)).statuses).toEqual(['good', 'revoked']);
    expect((await responder.respond(req(certId(ca, serialOf('alice')), certId(other, '01')), NOW)).statuses).toEqual(['unauthorized']);
  });

  it('reuses a signed answer until half its validity is gone, and never past a change of standing', async () => {
    const r = make(600);
    const first = await ask('bob', undefined, NOW, r);
    expect(first.signed).toBe('fresh');
    const later = await ask('bob', undefined, new Date(NOW.getTime() + 200_000), r);
    expect(later).toMatchObject({ signed: 'cached', thisUpdate: first.thisUpdate });
    expect(later.der.equals(first.der)).toBe(true);
    expect(r.cacheSize).toBe(1);
    // Past half of the 600 s: signed again, with a new thisUpdate.
    const renewed = await ask('bob', undefined, new Date(NOW.getTime() + 301_000), r);
    expect(renewed.signed).toBe('fresh');
    expect(renewed.thisUpdate!.getTime()).toBeGreaterThan(first.thisUpdate!.getTime());
    // Revoked in the store: the next answer says so at once, whatever is cached.
    const bob = record('bob', { status: 'revoked', revocationReason: 'affiliationChanged', revokedAt: new Date(NOW.getTime() + 302_000) });
    put(bob);
    try {
      const after = await ask('bob', undefined, new Date(NOW.getTime() + 303_000), r);
      expect(after).toMatchObject({ signed: 'fresh', statuses: ['revoked'] });
      const v = check('bob', after.der, undefined, new Date(NOW.getTime() + 303_000));
      expect(v.ok && v.answer).toMatchObject({ status: 'revoked', reason: 3 });
    } finally {
      put(record('bob'));
    }
    // Nonce answers are never cached.
    await ask('alice', Buffer.alloc(16, 7), NOW, r);
    expect(r.cacheSize).toBe(1);
  });

  it('with revocation configured, runs the full decision for store-current certificates (CRLs, upstream OCSP)', async () => {
    let verdict: Decision | null = null;
    const calls: string[] = [];
    const r = new OcspResponder({
      certificate: readFileSync(pki.ocspCert),
      privateKey: createPrivateKey(readFileSync(pki.ocspKey)),
      anchors: [der(pki.caCert)],
      standing: (issuer, serial) => storeStanding({ lookup: (i, s) => records.get(`${i}\u0000${s}`) }, issuer, serial, null),
      decide: async (rec) => {
        calls.push(rec.serial);
        return verdict;
      },
      validitySeconds: 600,
    });
    const d = (reason: Decision['reason'], facts: RevocationFact[] = []): Decision => ({ result: 'reject', reason, member: null, serial: serialOf('bob'), issuer: null, revocation: { facts } });
    const fact = (over: Partial<RevocationFact>): RevocationFact => ({ subject: 'CN=x', serial: serialOf('bob'), issuer: 'CN=Demo UPKI CA', source: 'crl', status: 'revoked', cached: false, thisUpdate: null, nextUpdate: null, ...over });

    verdict = { result: 'accept', reason: 'ok', member: 'bob@jaist.ac.jp', serial: serialOf('bob'), issuer: null };
    expect((await ask('bob', undefined, NOW, r)).statuses).toEqual(['good']);
    // Revoked on the CA's CRL though current in the store: revoked, with the CRL's reason and time.
    verdict = d('revoked_crl', [fact({ revokedAt: '2026-11-24T10:00:00.000Z', revocationReason: 'keyCompromise' })]);
    const crl = await ask('bob', undefined, new Date(NOW.getTime() + 1000), r);
    expect(crl).toMatchObject({ statuses: ['revoked'], signed: 'fresh' }); // the cached `good` is not reused
    const v = check('bob', crl.der, undefined, new Date(NOW.getTime() + 1000));
    expect(v.ok && v.answer).toMatchObject({ status: 'revoked', reason: 1, revokedAt: new Date('2026-11-24T10:00:00Z') });
    // Its issuing intermediate revoked on the root's CRL: cACompromise at that time.
    verdict = d('revoked_crl', [fact({ serial: '77', revokedAt: '2026-11-23T00:00:00.000Z' })]);
    const viaCa = await ask('bob', Buffer.alloc(16, 1), NOW, r);
    const w = check('bob', viaCa.der, Buffer.alloc(16, 1));
    expect(w.ok && w.answer).toMatchObject({ status: 'revoked', reason: 2, revokedAt: new Date('2026-11-23T00:00:00Z') });
    verdict = d('ocsp_unknown');
    expect((await ask('bob', Buffer.alloc(16, 2), NOW, r)).statuses).toEqual(['unknown']);
    // No usable answer upstream (fail closed): tryLater, unsigned, never good.
    verdict = d('ocsp_unavailable');
    const later = await ask('bob', undefined, NOW, r);
    expect(later).toMatchObject({ statuses: ['tryLater'], signed: null });
    expect(later.der).toEqual(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03]));
    // Refusals that are not about revocation leave the store's answer; non-current certificates never ask.
    verdict = d('expired');
    expect((await ask('bob', Buffer.alloc(16, 3), NOW, r)).statuses).toEqual(['good']);
    calls.length = 0;
    expect((await ask('carol', Buffer.alloc(16, 4), NOW, r)).statuses).toEqual(['revoked']);
    expect((await ask('eve', Buffer.alloc(16, 5), NOW, r)).statuses).toEqual(['not_issued']);
    expect(calls).toEqual([]);
  });

  it('refuses a responder certificate clients would reject, or a key that is not its own', async () => {
    const base = { anchors: [der(pki.caCert)], standing: () => ({ status: 'not_issued' as const, record: undefined, source: 'store' as const }), validitySeconds: 600 };
    expect(() => new OcspResponder({ ...base, certificate: readFileSync(pki.ocspCert), privateKey: createPrivateKey(readFileSync(pki.serverKey)) })).toThrow(/private key does not belong/);
    expect(() => new OcspResponder({ ...base, anchors: [der(pki.otherCaCert)], certificate: readFileSync(pki.ocspCert), privateKey: createPrivateKey(readFileSync(pki.ocspKey)) })).toThrow(/not issued by any tls.trustAnchors/);
    expect(() => new OcspResponder({ ...base, certificate: readFileSync(pki.serverCert), privateKey: createPrivateKey(readFileSync(pki.serverKey)) })).toThrow(/lacks the OCSPSigning/);
    // The CA signing its own answers needs no delegation.
    expect(() => new OcspResponder({ ...base, certificate: readFileSync(pki.caCert), privateKey: createPrivateKey(readFileSync(pki.caKey)) })).not.toThrow();
  });

  it('says in /readyz whom it answers for and until when its certificate is valid', async () => {
    expect(responder.describe(NOW)).toMatch(/^answering for Demo UPKI CA; responder certificate valid until \d{4}-/);
    expect(responder.describe(new Date('2099-01-01T00:00:00Z'))).toMatch(/EXPIRED/);
  });

  it('decodes GET requests: URL-encoded base64 and base64url; refuses anything else', async () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x30, 0x00]);
    expect(decodeGetRequest(encodeURIComponent(bytes.toString('base64')))).toEqual(bytes);
    expect(decodeGetRequest(bytes.toString('base64'))).toEqual(bytes);
    expect(decodeGetRequest(bytes.toString('base64url'))).toEqual(bytes);
    expect(decodeGetRequest('')).toBeNull();
    expect(decodeGetRequest('%E0%A4%A')).toBeNull();
    expect(decodeGetRequest('not base64!')).toBeNull();
  });
});

// OCSP request encoding and response verification against openssl-made vectors (fixed `now`).
import { describe, expect, it } from 'vitest';
import { encodeOcspRequest, ocspGetUrl, verifyOcspResponse } from '../../src/revocation/ocsp-codec.js';
import { readTlv } from '../../src/revocation/der.js';
import { NOW, ca, manifest, otherCa, vector } from './vectors.js';

const member = manifest.memberSerial;
const check = (file: string, over: Partial<Parameters<typeof verifyOcspResponse>[1]> = {}) =>
  verifyOcspResponse(vector(file), { issuer: ca(), serial: member, now: NOW, ...over });

describe('OCSP request', () => {
  it('is byte for byte the request `openssl ocsp -no_nonce` sends', () => {
    expect(encodeOcspRequest(ca(), member).toString('hex')).toBe(vector('req-member.der').toString('hex'));
    expect(encodeOcspRequest(ca(), manifest.straySerial).toString('hex')).toBe(vector('req-stray.der').toString('hex'));
  });

  it('carries an RFC 8954 nonce shaped like openssl\'s', () => {
    const nonce = Buffer.alloc(16, 7);
    const ours = encodeOcspRequest(ca(), member, nonce);
    const theirs = vector('req-member-nonce.der');
    expect(ours.length).toBe(theirs.length);
    // Same bytes up to the nonce value itself (openssl's is random).
    expect(ours.subarray(0, ours.length - 16).toString('hex')).toBe(theirs.subarray(0, theirs.length - 16).toString('hex'));
    expect(readTlv(ours, 0).end).toBe(ours.length);
  });

  it('GET form: base64, URL-encoded, after the responder URL', () => {
    const req = Buffer.from([0xfb, 0xff, 0xfe]);
    expect(ocspGetUrl('http://ocsp.example', req)).toBe('http://ocsp.example/%2B%2F%2F%2B');
    expect(ocspGetUrl('http://ocsp.example/x/', req)).toBe('http://ocsp.example/x/%2B%2F%2F%2B');
  });
});

describe('OCSP response verification', () => {
  it('good, signed by a delegated responder (OCSPSigning, issued by the CA)', () => {
    const r = check('resp-good.der');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.answer).toMatchObject({ status: 'good', revokedAt: null, nonceEchoed: null });
    expect(r.answer.signer).toContain('Vector OCSP Responder');
    expect(r.answer.nextUpdate!.getTime() - r.answer.thisUpdate.getTime()).toBe(600_000);
  });

  it('good, signed by the CA itself, and with the responder named by key hash', () => {
    expect(check('resp-good-by-ca.der')).toMatchObject({ ok: true, answer: { status: 'good', signer: ca().subject } });
    expect(check('resp-good-keyid.der')).toMatchObject({ ok: true, answer: { status: 'good' } });
  });

  it('revoked, with time and reason', () => {
    const r = check('resp-revoked.der');
    expect(r).toMatchObject({ ok: true, answer: { status: 'revoked', reason: 1 } });
    if (r.ok) expect(r.answer.revokedAt).toBeInstanceOf(Date);
  });

  it('unknown is an answer (and not good)', () => {
    expect(check('resp-unknown.der', { serial: manifest.straySerial })).toMatchObject({ ok: true, answer: { status: 'unknown' } });
  });

  it('an error status is unsigned and says only "no answer"', () => {
    expect(check('resp-trylater.der')).toEqual({ ok: false, failure: { kind: 'error_status', status: 'tryLater' } });
  });

  it('refuses a responder of another CA, a responder without OCSPSigning, and a response for another CA', () => {
    expect(check('resp-rogue.der')).toMatchObject({ ok: false, failure: { kind: 'invalid', why: expect.stringMatching(/neither|not issued/) } });
    expect(check('resp-noeku.der')).toMatchObject({ ok: false, failure: { kind: 'invalid', why: expect.stringMatching(/OCSPSigning/) } });
    expect(check('resp-good.der', { issuer: otherCa() })).toMatchObject({ ok: false, failure: { kind: 'invalid' } });
  });

  it('refuses a CertID for another serial, and a tampered signature', () => {
    expect(check('resp-good.der', { serial: '2B' })).toMatchObject({ ok: false, failure: { why: expect.stringMatching(/CertID/) } });
    const bad = Buffer.from(vector('resp-good-by-ca.der'));
    // Change one digit of producedAt (the first GeneralizedTime): the signed bytes no longer match.
    const at = bad.indexOf(Buffer.from([0x18, 0x0f]));
    bad[at + 2 + 13] = bad[at + 2 + 13] === 0x30 ? 0x31 : 0x30;
    expect(verifyOcspResponse(bad, { issuer: ca(), serial: member, now: NOW })).toMatchObject({ ok: false, failure: { why: expect.stringMatching(/signature/) } });
  });

  it('refuses times that are not sane: thisUpdate in the future, nextUpdate past', () => {
    // (signed by the CA itself: a delegated responder's certificate is not yet valid that early)
    expect(check('resp-good-by-ca.der', { now: new Date(NOW.getTime() - 10 * 60_000) })).toMatchObject({ ok: false, failure: { why: expect.stringMatching(/future/) } });
    expect(check('resp-good.der', { now: new Date(NOW.getTime() + 3_600_000) })).toMatchObject({ ok: false, failure: { why: expect.stringMatching(/nextUpdate .* has passed/) } });
  });

  it('checks an echoed nonce; a response without one is noted, a different one refused', () => {
    // resp-good-nonce.der echoes the nonce of req-member-nonce.der.
    const req = vector('req-member-nonce.der');
    const nonce = req.subarray(req.length - 16);
    expect(check('resp-good-nonce.der', { nonce })).toMatchObject({ ok: true, answer: { nonceEchoed: true } });
    expect(check('resp-good-nonce.der', { nonce: Buffer.alloc(16) })).toMatchObject({ ok: false, failure: { why: expect.stringMatching(/nonce/) } });
    expect(check('resp-good.der', { nonce })).toMatchObject({ ok: true, answer: { nonceEchoed: false } });
  });

  it('refuses garbage without throwing', () => {
    expect(verifyOcspResponse(Buffer.from('not ocsp'), { issuer: ca(), serial: member, now: NOW })).toMatchObject({ ok: false, failure: { kind: 'invalid' } });
    const good = vector('resp-good.der');
    expect(verifyOcspResponse(good.subarray(0, 100), { issuer: ca(), serial: member, now: NOW })).toMatchObject({ ok: false });
  });
});

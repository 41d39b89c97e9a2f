import { describe, expect, it } from 'vitest';
import { noDecisionsText, reasonText } from '../../../src/http/console/reason-text.js';
import { REJECT_REASONS } from '../../../src/verify/reasons.js';
import { decision, record } from './fixtures.js';

const old = record({ serial: '1000', member: 'alice@jaist.ac.jp', status: 'superseded', supersededBy: '1001' });
const current = record({ serial: '1001', member: 'alice@jaist.ac.jp', notBefore: new Date('2026-10-01T00:00:00Z'), notAfter: new Date('2027-10-01T00:00:00Z') });
const revoked = record({ serial: '3000', member: 'carol@jaist.ac.jp', status: 'revoked', revocationReason: 'keyCompromise', revokedAt: new Date('2026-11-02T09:00:00Z') });
const expired = record({ serial: '4000', member: 'dave@jaist.ac.jp', notAfter: new Date('2021-01-01T00:00:00Z') });
const ctx = { records: [old, current, revoked, expired], realms: ['jaist.ac.jp'] };
const text = (reason: string, p: Parameters<typeof decision>[0] = {}) => reasonText(decision({ reason, ...p }), ctx);

// Reasons the revocation and pacing work add; they must be explained as soon as they exist.
const LATER_REASONS = ['revoked_crl', 'revoked_ocsp', 'ocsp_unknown', 'ocsp_unavailable', 'crl_stale', 'paced'];

describe('reasonText', () => {
  it('explains every reason the verifier can give, never with the fallback', () => {
    for (const reason of [...REJECT_REASONS, ...LATER_REASONS, 'ok']) {
      const t = text(reason);
      expect(t, reason).not.toMatch(/cannot explain/);
      expect(t.length, reason).toBeGreaterThan(30);
    }
  });

  it('superseded: names the day the newer certificate was issued and what to do', () => {
    expect(text('superseded', { serial: '1000', outerIdentity: 'alice@jaist.ac.jp' })).toBe(
      'this certificate was replaced by a newer one issued on 2026-10-01: install the new one on this device',
    );
  });

  it('identity_mismatch: the typed identity and the owner', () => {
    expect(text('identity_mismatch', { serial: '1001', outerIdentity: 'bob@jaist.ac.jp' })).toBe(
      'the identity typed on the device was bob@jaist.ac.jp, but the certificate belongs to alice@jaist.ac.jp: type alice@jaist.ac.jp as the identity',
    );
  });

  it('expired: the expiry day and "renew it"', () => {
    expect(text('expired', { serial: '4000', member: 'dave@jaist.ac.jp' })).toBe('the certificate 4000 expired on 2021-01-01: renew it on the certificate portal and install the new one');
    // A certificate the store does not hold: the day comes from the decision's detail.
    expect(text('expired', { serial: '9999', detail: 'expired 2020-05-06T00:00:00.000Z' })).toContain('expired on 2020-05-06: renew it');
  });

  it('revoked_store: the day and the reason in words', () => {
    expect(text('revoked_store', { serial: '3000', member: 'carol@jaist.ac.jp' })).toBe(
      'this certificate was revoked on 2026-11-02 (key compromised, e.g. a lost or stolen device): the member needs a new certificate',
    );
  });

  it('not_issued, untrusted_issuer, realm', () => {
    expect(text('not_issued', { serial: '7777' })).toBe(
      "the certificate 7777 was not issued to a member by JAIST's issuing system (it is not in the certificate store): install the certificate from the certificate portal",
    );
    expect(text('untrusted_issuer', { issuer: 'CN=Other University CA' })).toBe(
      "the certificate on the device was issued by CN=Other University CA, a CA this network does not trust: install the member's JAIST certificate instead",
    );
    expect(text('realm', { outerIdentity: 'alice@gmail.com' })).toBe(
      "the identity typed on the device was alice@gmail.com, but this network only takes identities ending in @jaist.ac.jp: type the member's own address (or anonymous@jaist.ac.jp)",
    );
    expect(text('realm', { outerIdentity: 'alice' })).toBe(
      `the identity typed on the device was "alice", without a realm: it must end in @jaist.ac.jp, e.g. the member's own address (or anonymous@jaist.ac.jp)`,
    );
  });

  it('tls_failed and eap_method_refused say what to set on the device', () => {
    expect(text('tls_failed')).toBe('the device did not finish the secure connection: check the CA certificate configured on the device');
    expect(text('eap_method_refused')).toBe('the device is set to another method, e.g. PEAP: set it to TLS/certificate');
  });

  it('the other reasons', () => {
    expect(text('no_certificate')).toMatch(/^the device sent no certificate: install/);
    expect(text('bad_certificate')).toMatch(/cannot be read/);
    expect(text('bad_signature')).toMatch(/signature does not check out/);
    expect(text('weak_signature')).toMatch(/MD5 or SHA-1/);
    expect(text('not_yet_valid', { serial: '9999', detail: 'valid from 2030-01-01T00:00:00.000Z' })).toContain('valid from 2030-01-01');
    expect(text('chain_expired')).toMatch(/not the member's fault/);
    expect(text('bad_eku')).toMatch(/client-authentication/);
    expect(text('no_member')).toMatch(/no e-mail address/);
    expect(text('eap_protocol')).toMatch(/forget the network/);
    // The detail strings as src/revocation writes them.
    expect(text('revoked_crl', { serial: '3000', detail: 'carol (serial 3000) is on the CRL of Demo UPKI CA (CRL Number 4): revoked 2026-11-03T00:00:00Z (keyCompromise)' })).toBe(
      "the certificate 3000 is on the CA's revocation list (CRL) since 2026-11-03 (key compromised, e.g. a lost or stolen device): the member needs a new certificate",
    );
    expect(text('revoked_crl', { serial: '3000', detail: 'Demo Sub CA (serial 0A) is on the CRL of Demo UPKI CA: revoked 2026-11-03T00:00:00Z' })).toBe(
      "a CA certificate above the member's certificate has been revoked: this is not the member's fault; tell the network team",
    );
    expect(text('revoked_ocsp', { serial: '3000', detail: 'responder http://ocsp.example says carol (serial 3000) is revoked since 2026-11-04T00:00:00Z (affiliationChanged)' })).toBe(
      "the CA's OCSP service says the certificate 3000 is revoked since 2026-11-04 (no longer a member): the member needs a new certificate",
    );
    expect(text('revoked_ocsp', { serial: '3000' })).toBe("the CA's OCSP service says the certificate 3000 is revoked: the member needs a new certificate");
    expect(text('ocsp_unknown', { serial: '3000' })).toMatch(/does not know the certificate 3000/);
    expect(text('ocsp_unavailable')).toMatch(/could not get an answer from the CA's OCSP service.*not the member's fault/);
    expect(text('crl_stale')).toMatch(/revocation list \(CRL\) is out of date.*not the member's fault/);
    expect(text('policy', { detail: 'refused by policy rule 2 (guests-no-eduroam)' })).toBe(
      "the certificate is fine, but the network's access policy refuses this login (rule 2 (guests-no-eduroam)): ask the network team whether the member should have access here",
    );
    expect(text('paced')).toMatch(/^the device was refused too many times in a short while.*fix the cause/);
    expect(text('ok', { result: 'accept', serial: '1001' })).toBe('accepted: the certificate 1001 of alice@jaist.ac.jp is valid and current');
  });

  it('falls back to the reason code and detail for a reason it does not know', () => {
    expect(text('brand_new_reason', { detail: 'something odd' })).toBe('refused for a reason the console cannot explain yet (brand_new_reason): something odd');
  });

  it('says what no decision at all means: the device never reached certgate', () => {
    const t = noDecisionsText('erin@jaist.ac.jp', 10_000);
    expect(t).toContain('never got as far as certgate');
    expect(t).toContain('10,000');
    expect(t).toMatch(/access point/);
    expect(t).toMatch(/SSID/);
  });
});

// CRL decoding and the rules for replacing the CRL in force, on openssl-made vectors.
import { describe, expect, it } from 'vitest';
import { CrlError, parseCrl } from '../../src/revocation/crl-codec.js';
import { CrlSet, isStale } from '../../src/revocation/crl-set.js';
import { NOW, ca, otherCa, vector } from './vectors.js';

describe('parseCrl', () => {
  it('reads a DER CRL with nothing revoked', () => {
    const c = parseCrl(vector('crl-1.der'));
    expect(c.number).toBe(1n);
    expect(c.revoked.size).toBe(0);
    expect(c.nextUpdate!.getTime() - c.thisUpdate.getTime()).toBe(7 * 86_400_000);
    expect(c.algorithm.oid).toBe('1.2.840.113549.1.1.11');
    expect(c.issuerDer.equals(ca().subjectDer)).toBe(true);
  });

  it('reads a PEM CRL: serial in the openssl form, revocation reason', () => {
    const c = parseCrl(vector('crl-2.pem'));
    expect(c.number).toBe(2n);
    expect([...c.revoked.serials()]).toEqual(['2A']);
    expect(c.revoked.get('2A')!.reason).toBe(1); // keyCompromise
  });

  it('refuses garbage, a truncated (half-written) file and trailing bytes', () => {
    const der = parseCrl(vector('crl-1.der'));
    expect(der).toBeTruthy();
    const full = vector('crl-1.der');
    expect(() => parseCrl(Buffer.from('hello'))).toThrow(CrlError);
    expect(() => parseCrl(full.subarray(0, full.length >> 1))).toThrow(CrlError);
    expect(() => parseCrl(Buffer.concat([full, Buffer.from([0])]))).toThrow(/trailing/);
    const pem = vector('crl-2.pem').toString();
    expect(() => parseCrl(Buffer.from(pem.slice(0, pem.length / 2)))).toThrow(CrlError);
  });
});

describe('CrlSet', () => {
  const later = (ms: number) => new Date(NOW.getTime() + ms);

  it('installs a CRL signed by a trust anchor, and a newer one over it', () => {
    const set = new CrlSet([ca(), otherCa()]);
    const a = set.offer('f', vector('crl-1.der'), NOW);
    expect(a.outcome).toBe('installed');
    expect(set.forIssuer(ca().id)?.number).toBe(1n);
    expect(set.offer('f', vector('crl-1.der'), NOW).outcome).toBe('unchanged');
    const b = set.offer('f', vector('crl-2.pem'), later(1000));
    expect(b.outcome).toBe('installed');
    expect(set.forIssuer(ca().id)?.revoked.has('2A')).toBe(true);
  });

  it('never goes back: an older CRL Number is refused and the newer stays', () => {
    const set = new CrlSet([ca()]);
    set.offer('f', vector('crl-2.pem'), NOW);
    const r = set.offer('f', vector('crl-1.der'), NOW);
    expect(r).toMatchObject({ outcome: 'refused', why: expect.stringMatching(/CRL Number goes back \(1 after 2\)/) });
    expect(set.forIssuer(ca().id)?.number).toBe(2n);
    expect(set.sourceStates()[0]!.lastError).toMatch(/goes back/);
  });

  it('refuses a bad signature and keeps the CRL in force', () => {
    const set = new CrlSet([ca()]);
    set.offer('f', vector('crl-1.der'), NOW);
    const r = set.offer('f', vector('crl-2-bad-signature.der'), NOW);
    expect(r).toMatchObject({ outcome: 'refused', why: expect.stringMatching(/bad signature/) });
    expect(set.forIssuer(ca().id)?.number).toBe(1n);
  });

  it('refuses a CRL of an unknown CA, one signed by another key than its named issuer, and one from the future', () => {
    expect(new CrlSet([ca()]).offer('f', vector('crl-other-ca.pem'), NOW)).toMatchObject({ outcome: 'refused', why: expect.stringMatching(/neither a trust anchor/) });
    const set = new CrlSet([ca()]);
    set.addSource('g', otherCa());
    expect(set.offer('g', vector('crl-1.der'), NOW)).toMatchObject({ outcome: 'refused' });
    expect(new CrlSet([ca()]).offer('f', vector('crl-1.der'), new Date(NOW.getTime() - 3_600_000))).toMatchObject({ outcome: 'refused', why: expect.stringMatching(/future/) });
  });

  it('knows which issuers it must cover, loaded or not', () => {
    const set = new CrlSet([ca(), otherCa()]);
    set.addSource('expected', otherCa());
    expect(set.expects(otherCa().id)).toBe(true);
    expect(set.expects(ca().id)).toBe(false);
    set.offer('f', vector('crl-1.der'), NOW);
    expect(set.expects(ca().id)).toBe(true);
  });

  it('is stale only past nextUpdate + maxStaleSeconds', () => {
    const set = new CrlSet([ca()]);
    set.offer('f', vector('crl-1.der'), NOW);
    const crl = set.forIssuer(ca().id)!;
    const next = crl.nextUpdate!.getTime();
    expect(isStale(crl, new Date(next), 0)).toBe(false);
    expect(isStale(crl, new Date(next + 1000), 0)).toBe(true);
    expect(isStale(crl, new Date(next + 1000), 60)).toBe(false);
    expect(isStale(crl, new Date(next + 61_000), 60)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { ClassTokens, deriveClassKey, issuerHash } from '../../src/sessions/class-token.js';

const key = Buffer.alloc(32, 7);
const tokens = new ClassTokens(key);
const facts = { serial: '1001', issuer: 'CN=Demo UPKI CA,O=National Institute of Informatics,C=JP', member: 'alice@jaist.ac.jp', issuedAt: new Date('2026-11-25T07:00:00Z') };

describe('Class token', () => {
  it('round-trips serial, issuer hash, member and time', () => {
    const v = tokens.encode(facts);
    expect(v.subarray(0, 4).toString()).toBe('cg1:');
    expect(v.length).toBeLessThanOrEqual(253);
    expect(/^cg1:[A-Za-z0-9_-]+$/.test(v.toString('latin1'))).toBe(true);
    expect(tokens.decode(v)).toEqual({ serial: '1001', issuerHash: issuerHash(facts.issuer), member: 'alice@jaist.ac.jp', issuedAt: facts.issuedAt });
  });

  it('is a fixed vector for a fixed key and nonce', () => {
    const v = tokens.encode(facts, Buffer.alloc(12, 1));
    expect(v.toString()).toBe(tokens.encode(facts, Buffer.alloc(12, 1)).toString());
    expect(tokens.decode(v)?.serial).toBe('1001');
  });

  it('reveals nothing: two logins of one member give unrelated values, neither holding the serial or member', () => {
    const a = tokens.encode(facts);
    const b = tokens.encode(facts);
    expect(a.equals(b)).toBe(false);
    for (const v of [a, b]) {
      const raw = Buffer.from(v.subarray(4).toString(), 'base64url');
      expect(raw.includes(Buffer.from('alice'))).toBe(false);
      expect(raw.includes(Buffer.from('1001'))).toBe(false);
    }
  });

  it('refuses altered values, other keys and foreign Class values', () => {
    const v = tokens.encode(facts);
    const altered = Buffer.from(v);
    altered[20] = altered[20] === 0x41 ? 0x42 : 0x41;
    expect(tokens.decode(altered)).toBeNull();
    expect(new ClassTokens(Buffer.alloc(32, 8)).decode(v)).toBeNull();
    for (const foreign of ['student', 'cg1:', 'cg1:!!!', 'cg1:AAAA', 'CG1:' + v.subarray(4).toString()]) expect(tokens.decode(Buffer.from(foreign))).toBeNull();
    expect(tokens.decode(Buffer.alloc(0))).toBeNull();
  });

  it('leaves the member out when it would not fit one attribute, and keeps long serials', () => {
    const long = { ...facts, member: `${'x'.repeat(200)}@jaist.ac.jp`, serial: 'AB'.repeat(20) };
    const v = tokens.encode(long);
    expect(v.length).toBeLessThanOrEqual(253);
    expect(tokens.decode(v)).toMatchObject({ member: null, serial: 'AB'.repeat(20) });
    expect(tokens.decode(tokens.encode({ ...facts, member: null }))?.member).toBeNull();
    expect(() => tokens.encode({ ...facts, serial: 'not hex' })).toThrow(RangeError);
  });

  it('derives a 32-byte key from configured material; refuses short material and wrong key sizes', () => {
    const k = deriveClassKey(Buffer.from('a shared secret for all gateways'));
    expect(k.length).toBe(32);
    expect(deriveClassKey(Buffer.from('a shared secret for all gateways')).equals(k)).toBe(true);
    expect(() => deriveClassKey(Buffer.from('short'))).toThrow(RangeError);
    expect(() => new ClassTokens(Buffer.alloc(16))).toThrow(RangeError);
  });
});

// One-shot MD5 / HMAC-MD5 (src/radius/md5.ts): RFC 2202 vectors, and the same answers as node's
// createHmac for the Message-Authenticator forms (field zeroed, authenticator substituted).
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacMd5, md5Of } from '../../src/radius/md5.js';

describe('HMAC-MD5', () => {
  it('matches the RFC 2202 test cases (short key, text key, key longer than a block)', () => {
    expect(hmacMd5(Buffer.alloc(16, 0x0b), Buffer.from('Hi There')).toString('hex')).toBe('9294727a3638bb1c13f48ef8158bfc9d');
    expect(hmacMd5(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex')).toBe('750c783e6ab0b503eaa86e310a5db738');
    expect(hmacMd5(Buffer.alloc(80, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')).toString('hex')).toBe('6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd');
  });

  it('zeroes the Message-Authenticator field and substitutes the authenticator without touching the message', () => {
    const secret = Buffer.from('testing123');
    const packet = randomBytes(300);
    const before = Buffer.from(packet);
    const auth = randomBytes(16);
    const expected = Buffer.from(packet);
    auth.copy(expected, 4);
    expected.fill(0, 22, 38);
    expect(hmacMd5(secret, packet, 22, 16, auth)).toEqual(createHmac('md5', secret).update(expected).digest());
    expect(packet).toEqual(before);
  });
});

describe('MD5', () => {
  it('hashes the concatenation of its parts (RFC 1321 test suite value)', () => {
    expect(md5Of(Buffer.from('message '), Buffer.from('digest')).toString('hex')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
  });
});

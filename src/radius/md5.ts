// MD5 and HMAC-MD5 for the RADIUS authenticators (RFC 2865 3, RFC 3579 3.2) and MPPE keys
// (RFC 2548), as one-shot calls: createHash/createHmac make a native object per call, and the
// ~30 per login (three per RADIUS round trip, eight per Accept) were a large part of the weak-handle
// phase of every scavenge (docs/BENCHMARKS.md, issue 5, third session). Same CPU per call.
import { hash } from 'node:crypto';

const BLOCK = 64;

const md5 = (data: Buffer): Buffer => hash('md5', data, 'buffer');

/** MD5 of the concatenation of `parts`. */
export const md5Of = (...parts: Buffer[]): Buffer => md5(Buffer.concat(parts));

/** The two padded keys of HMAC-MD5 (RFC 2104 2), made once per shared secret. */
interface HmacMd5Key {
  inner: Buffer;
  outer: Buffer;
}

const keys = new WeakMap<Buffer, HmacMd5Key>();

function hmacMd5Key(secret: Buffer): HmacMd5Key {
  let k = keys.get(secret);
  if (!k) {
    const key = secret.length > BLOCK ? md5(secret) : secret;
    const inner = Buffer.alloc(BLOCK, 0x36);
    const outer = Buffer.alloc(BLOCK, 0x5c);
    for (let i = 0; i < key.length; i++) {
      inner[i]! ^= key[i]!;
      outer[i]! ^= key[i]!;
    }
    k = { inner, outer };
    keys.set(secret, k);
  }
  return k;
}

/**
 * HMAC-MD5 over `message` with the `zeroLength` bytes at `zeroAt` taken as zero (the
 * Message-Authenticator's own field) and, when given, `authenticator` standing in for bytes 4..20.
 * The message itself is not changed.
 */
export function hmacMd5(secret: Buffer, message: Buffer, zeroAt = -1, zeroLength = 0, authenticator?: Buffer): Buffer {
  const k = hmacMd5Key(secret);
  const inner = Buffer.allocUnsafe(BLOCK + message.length);
  k.inner.copy(inner, 0);
  message.copy(inner, BLOCK);
  if (authenticator) authenticator.copy(inner, BLOCK + 4);
  if (zeroAt >= 0) inner.fill(0, BLOCK + zeroAt, BLOCK + zeroAt + zeroLength);
  const outer = Buffer.allocUnsafe(BLOCK + 16);
  k.outer.copy(outer, 0);
  md5(inner).copy(outer, BLOCK);
  return md5(outer);
}

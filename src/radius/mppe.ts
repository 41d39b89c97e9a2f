// MS-MPPE-Send-Key / MS-MPPE-Recv-Key encryption (RFC 2548 2.4.2, 2.4.3), carrying the EAP-TLS
// MSK to the NAS (RFC 5216 2.3).
import { md5Of } from './md5.js';
import { MsAttr, VENDOR_MICROSOFT, type RadiusAttribute } from './packet.js';
import { vendorAttr } from './serializer.js';

const BLOCK = 16;
const SALT_LENGTH = 2;
// RFC 2548 2.4.2: "The most significant bit (leftmost) of the Salt field MUST be set (1)."
const SALT_HIGH_BIT = 0x8000;
const MSK_LENGTH = 64;
const HALF = 32;

// c(i) = p(i) xor b(i), b(1) = MD5(secret|RequestAuth|salt), b(i) = MD5(secret|c(i-1)).
// The chain always runs over the ciphertext, so `decrypt` picks the input or output side of each block.
function xorChain(input: Buffer, secret: Buffer, requestAuthenticator: Buffer, salt: Buffer, decrypt: boolean): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let b = md5Of(secret, requestAuthenticator, salt);
  for (let off = 0; off < input.length; off += BLOCK) {
    for (let i = 0; i < BLOCK; i++) out[off + i] = (input[off + i] as number) ^ (b[i] as number);
    const c = (decrypt ? input : out).subarray(off, off + BLOCK);
    b = md5Of(secret, c);
  }
  return out;
}

/**
 * Returns salt(2) | ciphertext of (key length(1) | key | zero pad to a multiple of 16).
 * The salt's high bit is forced on; the caller keeps salts unique within one packet.
 */
export function encryptMppeKey(key: Buffer, secret: Buffer, requestAuthenticator: Buffer, salt: number): Buffer {
  if (key.length > 0xff) throw new RangeError(`MPPE key is ${key.length} bytes, max 255`);
  if (requestAuthenticator.length !== 16) throw new RangeError('request authenticator must be 16 bytes');
  if (!Number.isInteger(salt)) throw new RangeError(`salt must be an integer, got ${salt}`);
  const saltBuf = Buffer.allocUnsafe(SALT_LENGTH);
  saltBuf.writeUInt16BE((salt & 0xffff) | SALT_HIGH_BIT, 0);
  const plainLength = Math.ceil((1 + key.length) / BLOCK) * BLOCK;
  const plain = Buffer.alloc(plainLength);
  plain[0] = key.length;
  key.copy(plain, 1);
  return Buffer.concat([saltBuf, xorChain(plain, secret, requestAuthenticator, saltBuf, false)]);
}

/**
 * Inverse of encryptMppeKey. undefined when the value is malformed (length, salt bit, key length
 * byte). A wrong secret usually shows as a bad key length; the zero padding is not checked.
 */
export function decryptMppeKey(value: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer | undefined {
  const cipherLength = value.length - SALT_LENGTH;
  if (cipherLength < BLOCK || cipherLength % BLOCK !== 0) return undefined;
  if (requestAuthenticator.length !== 16) return undefined;
  const salt = value.subarray(0, SALT_LENGTH);
  if (((salt[0] as number) & 0x80) === 0) return undefined;
  const plain = xorChain(value.subarray(SALT_LENGTH), secret, requestAuthenticator, salt, true);
  const keyLength = plain[0] as number;
  if (keyLength > plain.length - 1) return undefined;
  return plain.subarray(1, 1 + keyLength);
}

/**
 * MS-MPPE-Recv-Key = MSK[0..32] and MS-MPPE-Send-Key = MSK[32..64] (RFC 5216 2.3), in that order.
 * saltSeed must be an integer (e.g. crypto.randomInt(0, 0x10000)); the two salts are seed and seed+1
 * in the low 15 bits, so they always differ.
 */
export function mppeKeyAttributes(
  msk: Buffer,
  secret: Buffer,
  requestAuthenticator: Buffer,
  saltSeed: number,
): RadiusAttribute[] {
  if (msk.length !== MSK_LENGTH) throw new RangeError(`MSK must be ${MSK_LENGTH} bytes, got ${msk.length}`);
  if (!Number.isSafeInteger(saltSeed)) throw new RangeError(`saltSeed must be an integer, got ${saltSeed}`);
  const recvSalt = saltSeed & 0x7fff;
  const sendSalt = (recvSalt + 1) & 0x7fff;
  return [
    vendorAttr(
      VENDOR_MICROSOFT,
      MsAttr.MppeRecvKey,
      encryptMppeKey(msk.subarray(0, HALF), secret, requestAuthenticator, recvSalt),
    ),
    vendorAttr(
      VENDOR_MICROSOFT,
      MsAttr.MppeSendKey,
      encryptMppeKey(msk.subarray(HALF, MSK_LENGTH), secret, requestAuthenticator, sendSalt),
    ),
  ];
}

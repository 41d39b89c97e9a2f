// The Class value certgate adds to every Access-Accept (RFC 2865 5.25): the NAS echoes it,
// unmodified, in its Accounting-Requests, so an accounting record can be tied to the login and the
// certificate that made it. Opaque to anyone without the key: AES-256-GCM over
//   flags(1) | issued-at seconds(4) | SHA-256(issuer DN)[0..8] | serial length(1) | serial (ASCII hex) | member (UTF-8, when it fits)
// with a random 96-bit nonce, written as "cg1:" + base64url(nonce | ciphertext | tag). Two logins of
// one member give unrelated values (nothing to link them by), and a forged or altered value does
// not decrypt (it is then ignored like any foreign Class).
import { type KeyObject, createCipheriv, createDecipheriv, createHash, createSecretKey, hkdfSync } from 'node:crypto';
import { randomPooled } from '../tls/random-pool.js';

export const CLASS_TOKEN_PREFIX = 'cg1:';
const PREFIX = Buffer.from(CLASS_TOKEN_PREFIX, 'ascii');
const AAD = Buffer.from('certgate class token v1', 'ascii');
const NONCE = 12;
const TAG = 16;
const FLAG_MEMBER = 0x01;
// RFC 2865: an attribute value is at most 253 octets.
const MAX_VALUE = 253;
const MAX_SERIAL = 64;

export interface ClassTokenFacts {
  serial: string;
  issuer: string;
  member: string | null;
  issuedAt: Date;
}

export interface ClassTokenClaims {
  serial: string;
  /** issuerHash(issuer DN): enough to tell issuers apart without carrying the DN. */
  issuerHash: string;
  member: string | null;
  issuedAt: Date;
}

/** 8 bytes of SHA-256 of the issuer DN, hex: how sessions and tokens name an issuer. */
export const issuerHash = (issuer: string): string => createHash('sha256').update(issuer, 'utf8').digest().subarray(0, 8).toString('hex');

/** A 32-byte token key from configured key material of any length (16 bytes or more). */
export function deriveClassKey(material: Buffer): Buffer {
  if (material.length < 16) throw new RangeError('class token key material must be at least 16 bytes');
  return Buffer.from(hkdfSync('sha256', material, 'certgate', 'class token v1', 32));
}

export class ClassTokens {
  // A key object made once: createCipheriv with a Buffer key builds one per call (13 µs on Node
  // 24, a third of that with a ready one; one token per Access-Accept).
  private readonly key: KeyObject;
  // Nearly every login names the same issuer: remember the last one's hash.
  private issuer = { dn: '', hash: Buffer.alloc(8) };

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError(`class token key must be 32 bytes, got ${key.length}`);
    this.key = createSecretKey(key);
  }

  encode(f: ClassTokenFacts, nonce: Buffer = randomPooled(NONCE)): Buffer {
    const serial = Buffer.from(f.serial, 'ascii');
    if (serial.length === 0 || serial.length > MAX_SERIAL || !/^[0-9A-F]+$/.test(f.serial)) throw new RangeError(`not a normalised serial: ${JSON.stringify(f.serial)}`);
    const head = Buffer.alloc(14);
    head.writeUInt32BE(Math.max(0, Math.min(0xffffffff, Math.floor(f.issuedAt.getTime() / 1000))), 1);
    if (this.issuer.dn !== f.issuer) this.issuer = { dn: f.issuer, hash: Buffer.from(issuerHash(f.issuer), 'hex') };
    this.issuer.hash.copy(head, 5);
    head[13] = serial.length;
    const member = f.member === null ? Buffer.alloc(0) : Buffer.from(f.member, 'utf8');
    // The member rides along only when the value stays within one attribute; the NAS's User-Name
    // names the member otherwise.
    const withMember = member.length > 0 && tokenLength(head.length + serial.length + member.length) <= MAX_VALUE;
    head[0] = withMember ? FLAG_MEMBER : 0;
    const plain = Buffer.concat([head, serial, withMember ? member : Buffer.alloc(0)]);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(AAD);
    const body = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return Buffer.concat([PREFIX, Buffer.from(body.toString('base64url'), 'ascii')]);
  }

  /** The claims of one of our tokens; null for anything else (foreign Class, altered, other key). */
  decode(value: Buffer): ClassTokenClaims | null {
    if (value.length <= PREFIX.length || !value.subarray(0, PREFIX.length).equals(PREFIX)) return null;
    const text = value.subarray(PREFIX.length).toString('ascii');
    if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
    const body = Buffer.from(text, 'base64url');
    if (body.length < NONCE + 14 + 1 + TAG) return null;
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, body.subarray(0, NONCE));
      decipher.setAAD(AAD);
      decipher.setAuthTag(body.subarray(body.length - TAG));
      plain = Buffer.concat([decipher.update(body.subarray(NONCE, body.length - TAG)), decipher.final()]);
    } catch {
      return null;
    }
    const n = plain[13]!;
    if (plain.length < 14 + n) return null;
    const flags = plain[0]!;
    return {
      issuedAt: new Date(plain.readUInt32BE(1) * 1000),
      issuerHash: plain.subarray(5, 13).toString('hex'),
      serial: plain.subarray(14, 14 + n).toString('ascii'),
      member: flags & FLAG_MEMBER ? plain.subarray(14 + n).toString('utf8') : null,
    };
  }
}

/** Length of the attribute value for a plaintext of n bytes. */
function tokenLength(n: number): number {
  return PREFIX.length + Math.ceil(((NONCE + n + TAG) * 4) / 3);
}

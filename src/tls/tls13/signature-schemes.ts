// Signature schemes (RFC 8446 4.2.3): signing our CertificateVerify and checking the peer's (the
// server signs and checks the client's; the load generator's client does the reverse), with
// node:crypto (OpenSSL) doing the arithmetic.
import { type KeyObject, constants, sign, verify } from 'node:crypto';
import { fault } from './wire.js';

interface Scheme {
  id: number;
  /** The key node:crypto must hold for it (asymmetricKeyType, and the curve for ECDSA). */
  keyType: 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448';
  curve?: 'prime256v1' | 'secp384r1' | 'secp521r1';
  hash: 'sha256' | 'sha384' | 'sha512' | null;
  pss: boolean;
}

const SCHEMES: readonly Scheme[] = [
  { id: 0x0403, keyType: 'ec', curve: 'prime256v1', hash: 'sha256', pss: false },
  { id: 0x0503, keyType: 'ec', curve: 'secp384r1', hash: 'sha384', pss: false },
  { id: 0x0603, keyType: 'ec', curve: 'secp521r1', hash: 'sha512', pss: false },
  { id: 0x0807, keyType: 'ed25519', hash: null, pss: false },
  { id: 0x0808, keyType: 'ed448', hash: null, pss: false },
  { id: 0x0804, keyType: 'rsa', hash: 'sha256', pss: true },
  { id: 0x0805, keyType: 'rsa', hash: 'sha384', pss: true },
  { id: 0x0806, keyType: 'rsa', hash: 'sha512', pss: true },
  { id: 0x0809, keyType: 'rsa-pss', hash: 'sha256', pss: true },
  { id: 0x080a, keyType: 'rsa-pss', hash: 'sha384', pss: true },
  { id: 0x080b, keyType: 'rsa-pss', hash: 'sha512', pss: true },
];

const byId = new Map(SCHEMES.map((s) => [s.id, s]));

/**
 * What the CertificateRequest lists: every scheme a CertificateVerify may use, then RSA PKCS#1
 * v1.5, which TLS 1.3 allows in certificate signatures only (4.2.3): without it a client whose
 * certificate is signed sha256WithRSAEncryption (UPKI's) may find none of its certificates
 * acceptable. Its use in a CertificateVerify is refused below. No SHA-1.
 */
export const CLIENT_SCHEMES: readonly number[] = [...SCHEMES.map((s) => s.id), 0x0401, 0x0501, 0x0601];

const PSS_SALT = { sha256: 32, sha384: 48, sha512: 64 } as const;

export type Side = 'server' | 'client';

/** The content a CertificateVerify signs (RFC 8446 4.4.3). */
function signedContent(side: Side, transcriptHash: Buffer): Buffer {
  const context = `TLS 1.3, ${side} CertificateVerify`;
  const out = Buffer.alloc(64 + context.length + 1 + transcriptHash.length, 0x20);
  out.write(context, 64, 'latin1');
  out[64 + context.length] = 0;
  transcriptHash.copy(out, 64 + context.length + 1);
  return out;
}

const fits = (s: Scheme, key: KeyObject): boolean =>
  key.asymmetricKeyType === s.keyType && (s.curve === undefined || key.asymmetricKeyDetails?.namedCurve === s.curve);

const options = (s: Scheme, key: KeyObject) =>
  s.pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT[s.hash!] } : { key, dsaEncoding: 'der' as const };

/** The schemes for our key, in order of preference; empty when the key type has none. */
export function schemesForKey(key: KeyObject): number[] {
  return SCHEMES.filter((s) => fits(s, key)).map((s) => s.id);
}

export function signCertificateVerify(scheme: number, key: KeyObject, transcriptHash: Buffer, side: Side = 'server'): Buffer {
  const s = byId.get(scheme)!;
  return sign(s.hash, signedContent(side, transcriptHash), options(s, key));
}

/**
 * Checks the peer's CertificateVerify (`side`: who signed it); a scheme that is not a TLS 1.3
 * CertificateVerify scheme (PKCS#1 v1.5 included) or unfit for the key is refused.
 */
export function checkSignature(side: Side, scheme: number, key: KeyObject, signature: Buffer, transcriptHash: Buffer): void {
  const s = byId.get(scheme);
  if (!s) fault('illegal_parameter', `signature scheme 0x${scheme.toString(16).padStart(4, '0')} is not allowed in a CertificateVerify`);
  if (!fits(s, key)) fault('illegal_parameter', `signature scheme 0x${scheme.toString(16).padStart(4, '0')} does not fit the certificate's ${key.asymmetricKeyType} key`);
  let ok = false;
  try {
    ok = verify(s.hash, signedContent(side, transcriptHash), options(s, key), signature);
  } catch {
    ok = false;
  }
  if (!ok) fault('decrypt_error', `the ${side} CertificateVerify signature does not verify with its certificate key`);
}

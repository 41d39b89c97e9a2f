// (EC)DHE for the TLS 1.3 key_share (RFC 8446 4.2.8, 7.4): X25519, P-256 and P-384 through
// node:crypto, and the hybrid X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem) where the runtime has
// ML-KEM (Node 24: OpenSSL 3.5, crypto.encapsulate). A fresh key per handshake; the peer's share
// is validated by OpenSSL on import.
import * as crypto from 'node:crypto';
import { type JsonWebKey, type KeyObject, createECDH, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { fault } from './wire.js';

export const Group = { secp256r1: 0x0017, secp384r1: 0x0018, x25519: 0x001d, x25519mlkem768: 0x11ec } as const;

/** crypto.encapsulate (Node 24+; @types/node 20 does not know it). */
const encapsulate = (crypto as unknown as { encapsulate?: (key: KeyObject) => { sharedKey: Buffer; ciphertext: Buffer } }).encapsulate;

/**
 * The server's order of preference: OpenSSL 3.5's default order for the groups implemented here
 * (the post-quantum hybrid first where the runtime has ML-KEM, as OpenSSL would choose it).
 */
export const GROUPS: readonly number[] = [...(encapsulate ? [Group.x25519mlkem768] : []), Group.x25519, Group.secp256r1, Group.secp384r1];

// ML-KEM-768 encapsulation key (FIPS 203: 1184 bytes) as an SPKI: this header, then the key.
const MLKEM768_SPKI = Buffer.from('308204b2300b0609608648016503040402038204a100', 'hex');
const MLKEM768_KEY = 1184;

const EC_CURVE: Record<number, { name: string; point: number }> = {
  [Group.secp256r1]: { name: 'prime256v1', point: 65 },
  [Group.secp384r1]: { name: 'secp384r1', point: 97 },
};

const x25519Public = (raw: Buffer) => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') }, format: 'jwk' });

/** Our public share for `group` and the shared secret with the peer's share. */
export function keyExchange(group: number, peerShare: Buffer): { share: Buffer; shared: Buffer } {
  if (group === Group.x25519mlkem768 && encapsulate) {
    // Client share: ML-KEM-768 encapsulation key, then X25519 key. Server share: ML-KEM ciphertext,
    // then X25519 key. Shared secret: ML-KEM's, then X25519's (ML-KEM first in all three).
    if (peerShare.length !== MLKEM768_KEY + 32) fault('illegal_parameter', `X25519MLKEM768 share of ${peerShare.length} bytes`);
    let kem: { sharedKey: Buffer; ciphertext: Buffer };
    try {
      kem = encapsulate(createPublicKey({ key: Buffer.concat([MLKEM768_SPKI, peerShare.subarray(0, MLKEM768_KEY)]), format: 'der', type: 'spki' }));
    } catch {
      return fault('illegal_parameter', 'X25519MLKEM768 share holds no valid ML-KEM-768 key');
    }
    const ecdh = keyExchange(Group.x25519, peerShare.subarray(MLKEM768_KEY));
    return { share: Buffer.concat([kem.ciphertext, ecdh.share]), shared: Buffer.concat([kem.sharedKey, ecdh.shared]) };
  }
  if (group === Group.x25519) {
    const own = x25519KeyPair();
    return { share: own.share, shared: x25519Shared(own.privateKey, peerShare) };
  }
  const curve = EC_CURVE[group];
  if (!curve) return fault('internal_error', `group ${group} is not implemented`);
  // RFC 8446 4.2.8.2: uncompressed points only.
  if (peerShare.length !== curve.point || peerShare[0] !== 4) fault('illegal_parameter', `${curve.name} share is not an uncompressed point`);
  const ecdh = createECDH(curve.name);
  const share = ecdh.generateKeys();
  try {
    return { share, shared: ecdh.computeSecret(peerShare) };
  } catch {
    return fault('illegal_parameter', `${curve.name} share is not a point on the curve`);
  }
}

/** A fresh X25519 key: its private half and the 32-byte share to send. */
export function x25519KeyPair(): { share: Buffer; privateKey: KeyObject } {
  // The public key encoded by the key generation itself, never by a later export: on Node 20 a
  // JWK export holds the key's lock while it allocates, and a GC then destroying the generation
  // job (which takes the same lock) deadlocked the thread (seen in npm run bench after ~8,000
  // logins). A DER encoding goes through OpenSSL 3.0's encoders, three times slower.
  // (@types/node 20 does not know the jwk encoding; the object is a JsonWebKey.)
  const { publicKey, privateKey } = generateKeyPairSync('x25519', { publicKeyEncoding: { format: 'jwk' } } as object) as unknown as { publicKey: JsonWebKey; privateKey: KeyObject };
  return { share: Buffer.from(publicKey.x!, 'base64url'), privateKey };
}

/** The X25519 shared secret with the peer's 32-byte share; illegal_parameter for a bad or small-order share. */
export function x25519Shared(privateKey: KeyObject, peerShare: Buffer): Buffer {
  if (peerShare.length !== 32) fault('illegal_parameter', `X25519 share of ${peerShare.length} bytes`);
  // JWK import: DER would go through OpenSSL 3.0's decoders, several times slower on Node 20.
  let shared: Buffer | undefined;
  try {
    shared = diffieHellman({ privateKey, publicKey: x25519Public(peerShare) });
  } catch {
    // OpenSSL refuses a result of all zeros itself
  }
  // RFC 8446 7.4.2: an all-zero X25519 result means a small-order peer point.
  if (!shared || shared.every((b) => b === 0)) return fault('illegal_parameter', 'X25519 share is a small-order point');
  return shared;
}

// The TLS 1.3 key schedule (RFC 8446 7.1) on HMAC, HKDF-Extract and HKDF-Expand-Label (RFC 5869).
// createHmac, not the one-shot hashes of radius/md5.ts: with SHA-256's larger blocks two hash()
// calls and their buffers cost more than the native object (measured in docs/BENCHMARKS.md).
import { createHmac, hash } from 'node:crypto';

export type HashName = 'sha256' | 'sha384';

export const hashLength = (h: HashName): number => (h === 'sha256' ? 32 : 48);
const blockLength = (h: HashName): number => (h === 'sha256' ? 64 : 128);

export const digest = (h: HashName, data: Buffer): Buffer => hash(h, data, 'buffer');

export function hmac(h: HashName, key: Buffer, ...parts: Buffer[]): Buffer {
  const m = createHmac(h, key);
  for (const p of parts) m.update(p);
  return m.digest();
}

export const hkdfExtract = (h: HashName, salt: Buffer, ikm: Buffer): Buffer => hmac(h, salt, ikm);

/**
 * HKDF-Expand-Label(Secret, Label, Context, Length): the label gets the "tls13 " prefix. `take`:
 * only the first bytes are wanted (each block depends only on those before it).
 */
export function hkdfExpandLabel(h: HashName, secret: Buffer, label: string, context: Buffer, length: number, take = length): Buffer {
  const full = `tls13 ${label}`;
  const info = Buffer.allocUnsafe(2 + 1 + full.length + 1 + context.length);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  info.write(full, 3, 'latin1');
  info[3 + full.length] = context.length;
  context.copy(info, 4 + full.length);
  // HKDF-Expand: T(i) = HMAC(secret, T(i-1) | info | i).
  const n = Math.ceil(take / hashLength(h));
  const blocks: Buffer[] = [];
  let prev: Buffer = Buffer.alloc(0);
  for (let i = 1; i <= n; i++) {
    prev = hmac(h, secret, prev, info, Buffer.from([i]));
    blocks.push(prev);
  }
  const out = n === 1 ? prev : Buffer.concat(blocks);
  return out.length === take ? out : out.subarray(0, take);
}

export const deriveSecret = (h: HashName, secret: Buffer, label: string, transcriptHash: Buffer): Buffer =>
  hkdfExpandLabel(h, secret, label, transcriptHash, hashLength(h));

/** Constants per hash: Hash(""), and the "derived" secret of an early secret made without a PSK. */
interface HashConstants {
  zeros: Buffer;
  emptyHash: Buffer;
  derivedWithoutPsk: Buffer;
}

const constants = new Map<HashName, HashConstants>();

function hashConstants(h: HashName): HashConstants {
  let c = constants.get(h);
  if (!c) {
    const zeros = Buffer.alloc(hashLength(h));
    const emptyHash = digest(h, Buffer.alloc(0));
    c = { zeros, emptyHash, derivedWithoutPsk: deriveSecret(h, hkdfExtract(h, zeros, zeros), 'derived', emptyHash) };
    constants.set(h, c);
  }
  return c;
}

/** The early secret from a resumption PSK, and the key its binder is made with (RFC 8446 4.2.11.2). */
export function earlySecrets(h: HashName, psk: Buffer): { earlySecret: Buffer; binderFinishedKey: Buffer } {
  const c = hashConstants(h);
  const earlySecret = hkdfExtract(h, c.zeros, psk);
  const binderKey = deriveSecret(h, earlySecret, 'res binder', c.emptyHash);
  return { earlySecret, binderFinishedKey: finishedKey(h, binderKey) };
}

export interface HandshakeSecrets {
  clientHandshake: Buffer;
  serverHandshake: Buffer;
  /** The master secret, for the application secrets once the server's Finished is in the transcript. */
  master: Buffer;
}

/** From the (EC)DHE shared secret; `earlySecret` only when a PSK was accepted. `helloHash`: Hash(ClientHello..ServerHello). */
export function handshakeSecrets(h: HashName, shared: Buffer, helloHash: Buffer, earlySecret?: Buffer): HandshakeSecrets {
  const c = hashConstants(h);
  const derived = earlySecret ? deriveSecret(h, earlySecret, 'derived', c.emptyHash) : c.derivedWithoutPsk;
  const hs = hkdfExtract(h, derived, shared);
  return {
    clientHandshake: deriveSecret(h, hs, 'c hs traffic', helloHash),
    serverHandshake: deriveSecret(h, hs, 's hs traffic', helloHash),
    master: hkdfExtract(h, deriveSecret(h, hs, 'derived', c.emptyHash), c.zeros),
  };
}

export const finishedKey = (h: HashName, baseKey: Buffer): Buffer => hkdfExpandLabel(h, baseKey, 'finished', Buffer.alloc(0), hashLength(h));

/** verify_data of a Finished message (RFC 8446 4.4.4). */
export const finishedMac = (h: HashName, baseKey: Buffer, transcriptHash: Buffer): Buffer => hmac(h, finishedKey(h, baseKey), transcriptHash);

/** TLS-Exporter (RFC 8446 7.5) from the exporter master secret; `take`: the first bytes only. */
export function exportKeyingMaterial(h: HashName, exporterMaster: Buffer, label: string, context: Buffer, length: number, take = length): Buffer {
  const c = hashConstants(h);
  const secret = deriveSecret(h, exporterMaster, label, c.emptyHash);
  return hkdfExpandLabel(h, secret, 'exporter', digest(h, context), length, take);
}

/** The PSK a NewSessionTicket stands for (RFC 8446 4.6.1). */
export const resumptionPsk = (h: HashName, resumptionMaster: Buffer, ticketNonce: Buffer): Buffer =>
  hkdfExpandLabel(h, resumptionMaster, 'resumption', ticketNonce, hashLength(h));

// Stateless TLS 1.3 session tickets (RFC 8446 4.6.1, RFC 5077 4's recommended shape): the session
// sealed with AES-256-GCM under a key derived from the gateway's ticket keys, so every thread and
// every gateway sharing those keys (tls.ticketKeyFile, or the store's shared keys) can resume it.
//
// A ticket carries the SHA-256 of the client certificate, not the certificate: the decision on a
// resumed login reads the certificate from the issued-certificate store (RFC 9190 5.7), and a
// ticket of ~110 bytes keeps the final flight of a full login inside one EAP-TLS fragment.
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { randomPooled } from '../random-pool.js';
import { Reader, TlsFault, withLength } from './wire.js';

/** What a resumption needs back (no 0-RTT here, so neither the issue time nor ticket_age_add). */
export interface TicketState {
  suite: number;
  /** When the member last proved possession of the key in a full handshake (epoch ms). */
  authenticatedAt: number;
  psk: Buffer;
  /** SHA-256 of the client certificate. */
  leafSha256: Buffer;
}

const VERSION = 1;
const NAME = 16;
const NONCE = 12;
const TAG = 16;

/** Seals and opens tickets. The name tells our tickets from OpenSSL's (which begin with ticketKeys[0..16]). */
export class TicketSealer {
  readonly name: Buffer;
  private readonly key: Buffer;

  constructor(ticketKeys: Buffer) {
    const okm = Buffer.from(hkdfSync('sha256', ticketKeys, Buffer.alloc(0), 'certgate TLS 1.3 session ticket v1', NAME + 32));
    this.name = okm.subarray(0, NAME);
    this.key = okm.subarray(NAME);
  }

  seal(s: TicketState): Buffer {
    const plain = Buffer.concat([
      Buffer.from([VERSION]),
      uint(s.suite, 2),
      uint(s.authenticatedAt, 6),
      withLength(1, s.psk),
      withLength(1, s.leafSha256),
    ]);
    const nonce = randomPooled(NONCE);
    const c = createCipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG });
    c.setAAD(this.name);
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([this.name, nonce, body, c.getAuthTag()]);
  }

  /** The session in a ticket of ours; undefined for anything else (another key, tampered, not a ticket). */
  open(ticket: Buffer): TicketState | undefined {
    if (ticket.length < NAME + NONCE + TAG + 1 || !ticket.subarray(0, NAME).equals(this.name)) return undefined;
    let plain: Buffer;
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, ticket.subarray(NAME, NAME + NONCE), { authTagLength: TAG });
      d.setAAD(this.name);
      d.setAuthTag(ticket.subarray(ticket.length - TAG));
      plain = Buffer.concat([d.update(ticket.subarray(NAME + NONCE, ticket.length - TAG)), d.final()]);
    } catch {
      return undefined;
    }
    try {
      const r = new Reader(plain);
      if (r.u8('version') !== VERSION) return undefined;
      const suite = r.u16('suite');
      const authenticatedAt = r.uint(6, 'authenticatedAt');
      const psk = r.vector(1, 'psk', 32, 48);
      const leafSha256 = r.vector(1, 'leaf', 32, 32);
      r.done('ticket');
      return { suite, authenticatedAt, psk, leafSha256 };
    } catch (e) {
      if (e instanceof TlsFault) return undefined;
      throw e;
    }
  }
}

function uint(v: number, bytes: number): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  b.writeUIntBE(v, 0, bytes);
  return b;
}

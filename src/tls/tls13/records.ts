// The TLS record layer (RFC 8446 5): cutting the peer's bytes into records, and AEAD protection of
// records once traffic keys exist (5.2-5.3). Pure apart from the cipher calls.
import { type CipherGCMTypes, createCipheriv, createDecipheriv } from 'node:crypto';
import { type HashName, hkdfExpandLabel } from './key-schedule.js';
import { fault } from './wire.js';

export const ContentType = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;

/** RFC 8446 5.1/5.2: 2^14 bytes of plaintext, 256 more of protection. */
export const MAX_PLAINTEXT = 16384;
const MAX_CIPHERTEXT = MAX_PLAINTEXT + 256;
const HEADER = 5;
const TAG = 16;
const LEGACY_VERSION = 0x0303;

export interface TlsRecord {
  type: number;
  /** The 5-byte header: the additional data of a protected record. */
  header: Buffer;
  body: Buffer;
}

/** Whole records in `bytes`, and the bytes of a record not yet complete. */
export function splitRecords(bytes: Buffer): { records: TlsRecord[]; rest: Buffer } {
  const records: TlsRecord[] = [];
  let at = 0;
  while (bytes.length - at >= HEADER) {
    const len = bytes.readUInt16BE(at + 3);
    const type = bytes[at]!;
    // RFC 8446 5.1/5.2: 2^14 bytes for a plaintext record, 256 more for a protected one.
    if (len > (type === ContentType.application_data ? MAX_CIPHERTEXT : MAX_PLAINTEXT)) fault('record_overflow', `a ${len}-byte record`);
    if (bytes.length - at < HEADER + len) break;
    if (type < ContentType.change_cipher_spec || type > ContentType.application_data) fault('unexpected_message', `record type ${type}`);
    records.push({ type, header: bytes.subarray(at, at + HEADER), body: bytes.subarray(at + HEADER, at + HEADER + len) });
    at += HEADER + len;
  }
  return { records, rest: bytes.subarray(at) };
}

/** An unprotected record (ServerHello, the compatibility ChangeCipherSpec, an alert before keys). */
export function plainRecord(type: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out[0] = type;
  out.writeUInt16BE(LEGACY_VERSION, 1);
  out.writeUInt16BE(body.length, 3);
  body.copy(out, HEADER);
  return out;
}

export interface CipherSuite {
  id: number;
  name: string;
  hash: HashName;
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  keyLength: number;
}

/** TLS 1.3's three AEAD suites, in the server's order of preference (as MODERN_CIPHERS lists them). */
export const CIPHER_SUITES: readonly CipherSuite[] = [
  { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256', hash: 'sha256', cipher: 'aes-128-gcm', keyLength: 16 },
  { id: 0x1302, name: 'TLS_AES_256_GCM_SHA384', hash: 'sha384', cipher: 'aes-256-gcm', keyLength: 32 },
  { id: 0x1303, name: 'TLS_CHACHA20_POLY1305_SHA256', hash: 'sha256', cipher: 'chacha20-poly1305', keyLength: 32 },
];

/** One direction's traffic protection: key, IV and the record sequence number (RFC 8446 5.3). */
export class RecordProtection {
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private seq = 0;

  constructor(
    private readonly suite: CipherSuite,
    trafficSecret: Buffer,
  ) {
    this.key = hkdfExpandLabel(suite.hash, trafficSecret, 'key', Buffer.alloc(0), suite.keyLength);
    this.iv = hkdfExpandLabel(suite.hash, trafficSecret, 'iv', Buffer.alloc(0), 12);
  }

  /** The per-record nonce: the IV with the 64-bit sequence number XORed into its last 8 bytes. */
  private nonce(): Buffer {
    const n = Buffer.from(this.iv);
    let s = this.seq++;
    for (let i = 11; i >= 4 && s > 0; i--) {
      n[i]! ^= s & 0xff;
      s = Math.floor(s / 256);
    }
    return n;
  }

  // (ChaCha20-Poly1305 takes the same calls as GCM; the cast only picks node's AEAD overload.)

  /** A protected record of `type` holding `content` (TLSInnerPlaintext without padding). */
  seal(type: number, content: Buffer): Buffer {
    const length = content.length + 1 + TAG;
    const out = Buffer.allocUnsafe(HEADER + length);
    out[0] = ContentType.application_data;
    out.writeUInt16BE(LEGACY_VERSION, 1);
    out.writeUInt16BE(length, 3);
    const c = createCipheriv(this.suite.cipher as CipherGCMTypes, this.key, this.nonce(), { authTagLength: TAG });
    c.setAAD(out.subarray(0, HEADER));
    let at = HEADER + c.update(content).copy(out, HEADER);
    at += c.update(Buffer.from([type])).copy(out, at);
    at += c.final().copy(out, at);
    c.getAuthTag().copy(out, at);
    return out;
  }

  /** The content and real type of a protected record; bad_record_mac when it does not authenticate. */
  open(record: TlsRecord): { type: number; content: Buffer } {
    if (record.type !== ContentType.application_data) fault('unexpected_message', `unprotected record of type ${record.type} after the keys changed`);
    if (record.body.length < TAG + 1) fault('bad_record_mac', 'record shorter than its tag');
    const d = createDecipheriv(this.suite.cipher as CipherGCMTypes, this.key, this.nonce(), { authTagLength: TAG });
    d.setAAD(record.header);
    d.setAuthTag(record.body.subarray(record.body.length - TAG));
    let plain: Buffer;
    try {
      const a = d.update(record.body.subarray(0, record.body.length - TAG));
      const b = d.final();
      plain = b.length ? Buffer.concat([a, b]) : a;
    } catch {
      return fault('bad_record_mac', 'record did not authenticate');
    }
    // TLSInnerPlaintext: content | type | zero padding; the type is the last non-zero byte.
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--;
    if (end === 0) fault('unexpected_message', 'protected record without a content type');
    if (end - 1 > MAX_PLAINTEXT) fault('record_overflow', 'inner plaintext over 2^14 bytes');
    return { type: plain[end - 1]!, content: plain.subarray(0, end - 1) };
  }
}

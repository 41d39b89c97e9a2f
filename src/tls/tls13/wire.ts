// Bounds-checked reading of TLS's length-prefixed vectors (RFC 8446 3), and the alerts that end a
// handshake (RFC 8446 6). Decoding stops at the first fault with the alert the RFC names for it.

export const Alert = {
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  illegal_parameter: 47,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  internal_error: 80,
  missing_extension: 109,
  unsupported_extension: 110,
  certificate_required: 116,
} as const;

export type AlertName = keyof typeof Alert;

/** A fatal protocol fault: the alert to send and, for logs, what was wrong. */
export class TlsFault extends Error {
  constructor(
    readonly alert: AlertName,
    detail: string,
  ) {
    super(`${alert}: ${detail}`);
  }
}

export function fault(alert: AlertName, detail: string): never {
  throw new TlsFault(alert, detail);
}

/** Reads a Buffer front to back; every read past the end is a decode_error. */
export class Reader {
  private at: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.at = start;
  }

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.end - this.at;
  }

  private need(n: number, what: string): void {
    if (this.at + n > this.end) fault('decode_error', `${what} runs past its container`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.at++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }

  u24(what: string): number {
    this.need(3, what);
    const v = this.buf.readUIntBE(this.at, 3);
    this.at += 3;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  /** An unsigned integer of `n` bytes (up to 6). */
  uint(n: number, what: string): number {
    this.need(n, what);
    const v = this.buf.readUIntBE(this.at, n);
    this.at += n;
    return v;
  }

  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  /** A vector with a 1-, 2- or 3-byte length prefix, its length within [min, max]. */
  vector(lengthBytes: 1 | 2 | 3, what: string, min = 0, max = Infinity): Buffer {
    const n = lengthBytes === 1 ? this.u8(what) : lengthBytes === 2 ? this.u16(what) : this.u24(what);
    if (n < min || n > max) fault('decode_error', `${what}: length ${n} outside ${min}..${max}`);
    return this.bytes(n, what);
  }

  /** A sub-reader over the next vector. */
  sub(lengthBytes: 1 | 2 | 3, what: string, min = 0, max = Infinity): Reader {
    const v = this.vector(lengthBytes, what, min, max);
    return new Reader(v);
  }

  /** The whole value must have been read. */
  done(what: string): void {
    if (this.at !== this.end) fault('decode_error', `${this.end - this.at} trailing bytes after ${what}`);
  }
}

/** A list of uint16 values in a vector (cipher suites, groups, signature schemes, versions). */
export function u16List(v: Buffer, what: string): number[] {
  if (v.length % 2) fault('decode_error', `${what}: odd length`);
  const out: number[] = new Array(v.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = v.readUInt16BE(i * 2);
  return out;
}

/** Prefixes `body` with its length in `lengthBytes` bytes. */
export function withLength(lengthBytes: 1 | 2 | 3, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(lengthBytes + body.length);
  out.writeUIntBE(body.length, 0, lengthBytes);
  body.copy(out, lengthBytes);
  return out;
}

export const u16 = (v: number): Buffer => {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(v);
  return b;
};

export const u32 = (v: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};

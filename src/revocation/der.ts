// A minimal DER reader: tag, length, bounds. Enough to walk a CRL's revoked list (which can hold
// 100,000 entries: a generic ASN.1 object model takes seconds for that, this takes milliseconds)
// and to cut the exact bytes a signature covers. Pure functions over Buffers; throws DerError on
// malformed input so callers can turn it into one "unparseable" outcome.

export class DerError extends Error {
  override name = 'DerError';
}

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  SEQUENCE: 0x30,
  SET: 0x31,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
} as const;

/** Reads the TLV at `off`; `limit` is the end of the enclosing value. */
export function readTlv(buf: Uint8Array, off: number, limit = buf.length): Tlv {
  if (off + 2 > limit) throw new DerError(`truncated at offset ${off}`);
  const tag = buf[off]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at offset ${off}`);
  let len = buf[off + 1]!;
  let contentStart = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError(`unsupported length form at offset ${off}`);
    if (contentStart + n > limit) throw new DerError(`truncated length at offset ${off}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[contentStart + i]!;
    contentStart += n;
  }
  const end = contentStart + len;
  if (end > limit) throw new DerError(`value at offset ${off} runs past its container`);
  return { tag, start: off, contentStart, end };
}

/** Reads a TLV and insists on its tag. */
export function expect(buf: Uint8Array, off: number, tag: number, what: string, limit = buf.length): Tlv {
  const t = readTlv(buf, off, limit);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  return t;
}

/** The children of a constructed value, in order. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = parent.contentStart; off < parent.end; ) {
    const t = readTlv(buf, off, parent.end);
    out.push(t);
    off = t.end;
  }
  return out;
}

export const content = (buf: Uint8Array, t: Tlv): Buffer => Buffer.from(buf.buffer, buf.byteOffset + t.contentStart, t.end - t.contentStart);
export const whole = (buf: Uint8Array, t: Tlv): Buffer => Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start);

export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** UTCTime or GeneralizedTime in the forms RFC 5280 allows (YY/YYYYMMDDHHMMSSZ), as epoch ms. */
export function decodeTimeMs(buf: Uint8Array, t: Tlv): number {
  const s = t.contentStart;
  const len = t.end - s;
  // Digits read straight from the bytes: a CRL holds one time per entry, and there may be 100,000.
  const d = (i: number): number => {
    const c = buf[s + i]! - 0x30;
    if (c < 0 || c > 9) throw new DerError('not a DER time: non-digit');
    return c;
  };
  const two = (i: number) => d(i) * 10 + d(i + 1);
  let year: number;
  let o: number;
  if (t.tag === TAG.UTC_TIME && len === 13) {
    const yy = two(0);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    o = 2;
  } else if (t.tag === TAG.GENERALIZED_TIME && len >= 15) {
    year = two(0) * 100 + two(2);
    o = 4;
  } else throw new DerError(`not a DER time (tag 0x${t.tag.toString(16)}, ${len} bytes)`);
  if (buf[t.end - 1] !== 0x5a) throw new DerError('not a DER time: must end in Z');
  if (t.tag === TAG.GENERALIZED_TIME && len > 15 && buf[s + 14] !== 0x2e) throw new DerError('not a DER time: bad fraction');
  return Date.UTC(year, two(o) - 1, two(o + 2), two(o + 4), two(o + 6), two(o + 8));
}

export const decodeTime = (buf: Uint8Array, t: Tlv): Date => new Date(decodeTimeMs(buf, t));

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** An INTEGER's content as the certgate serial form: uppercase hex, minimal bytes (as cert-facts). */
export function integerHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let i = start;
  while (i < end - 1 && bytes[i] === 0) i++;
  if (i >= end) return '00';
  let out = '';
  for (; i < end; i++) out += HEX[bytes[i]!]!;
  return out;
}

export function integerBig(bytes: Uint8Array): bigint {
  if (bytes.length === 0) throw new DerError('empty INTEGER');
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes[0]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

// ---- writing (for OCSP requests) ----

export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
};

export function encodeOid(oid: string): Buffer {
  const n = oid.split('.').map(Number);
  const out: number[] = [n[0]! * 40 + n[1]!];
  for (const v of n.slice(2)) {
    const b: number[] = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) b.unshift(0x80 | (x & 0x7f));
    out.push(...b);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** A positive INTEGER from the certgate serial hex form. */
export function encodeIntegerHex(hex: string): Buffer {
  let b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if (b.length === 0) b = Buffer.from([0]);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(TAG.INTEGER, b);
}

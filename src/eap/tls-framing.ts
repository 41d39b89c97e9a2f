// EAP-TLS framing (RFC 5216 section 3.1, RFC 9190): the flags byte, the optional 4-byte TLS
// Message Length, and the fragment payload. Shared by every TLS-based method (as in hostapd's
// eap_server_tls_common.c), so EAP-TTLS/PEAP can reuse it later.

export const TlsFlag = { Length: 0x80, More: 0x40, Start: 0x20 } as const;

export interface TlsFrame {
  flags: number;
  /** The L field when the L bit is set. */
  totalLength: number | undefined;
  payload: Buffer;
}

export type FrameDecode = { ok: true; frame: TlsFrame } | { ok: false; reason: 'eaptls_too_short' };

/** `typeData` is the EAP Type-Data after the type byte. Reserved flag bits are ignored on receipt. */
export function decodeTlsFrame(typeData: Buffer): FrameDecode {
  if (typeData.length < 1) return { ok: false, reason: 'eaptls_too_short' };
  const flags = typeData[0]!;
  if (flags & TlsFlag.Length) {
    if (typeData.length < 5) return { ok: false, reason: 'eaptls_too_short' };
    return { ok: true, frame: { flags, totalLength: typeData.readUInt32BE(1), payload: typeData.subarray(5) } };
  }
  return { ok: true, frame: { flags, totalLength: undefined, payload: typeData.subarray(1) } };
}

/** Type-Data for an EAP-TLS message; reserved bits are sent as zero. */
export function encodeTlsFrame(flags: number, payload: Buffer, totalLength?: number): Buffer {
  const f = flags & (TlsFlag.Length | TlsFlag.More | TlsFlag.Start);
  if (f & TlsFlag.Length) {
    const out = Buffer.allocUnsafe(5 + payload.length);
    out[0] = f;
    out.writeUInt32BE(totalLength ?? payload.length, 1);
    payload.copy(out, 5);
    return out;
  }
  const out = Buffer.allocUnsafe(1 + payload.length);
  out[0] = f;
  payload.copy(out, 1);
  return out;
}

/** An ACK is an EAP-TLS message with no data and no M bit (RFC 5216 2.1.5). */
export const isAck = (frame: TlsFrame) => frame.payload.length === 0 && (frame.flags & TlsFlag.More) === 0;

/**
 * Splits one outgoing TLS message into fragments of at most `max` bytes. L goes on the first
 * fragment only, and only when there is more than one; M on every fragment but the last.
 */
export function fragment(message: Buffer, max: number): Buffer[] {
  if (message.length <= max) return [encodeTlsFrame(0, message)];
  const out: Buffer[] = [];
  for (let off = 0; off < message.length; off += max) {
    const last = off + max >= message.length;
    const flags = (off === 0 ? TlsFlag.Length : 0) | (last ? 0 : TlsFlag.More);
    out.push(encodeTlsFrame(flags, message.subarray(off, off + max), message.length));
  }
  return out;
}

export type ReassemblyStep =
  | { status: 'more' }
  | { status: 'complete'; message: Buffer }
  | { status: 'error'; reason: 'eaptls_too_large' | 'eaptls_length_mismatch' };

/**
 * Joins incoming fragments. The limit is enforced on the announced L and on the bytes actually
 * received, before they are buffered, so a peer cannot make us hold more than `limit` bytes.
 */
export class Reassembler {
  private parts: Buffer[] = [];
  private received = 0;
  private expected: number | undefined;

  constructor(private readonly limit: number) {}

  get inProgress(): boolean {
    return this.parts.length > 0;
  }

  add(frame: TlsFrame): ReassemblyStep {
    if (frame.totalLength !== undefined && !this.inProgress) {
      if (frame.totalLength > this.limit) return this.fail('eaptls_too_large');
      this.expected = frame.totalLength;
    }
    this.received += frame.payload.length;
    if (this.received > this.limit) return this.fail('eaptls_too_large');
    if (this.expected !== undefined && this.received > this.expected) return this.fail('eaptls_length_mismatch');
    this.parts.push(frame.payload);
    if (frame.flags & TlsFlag.More) return { status: 'more' };
    if (this.expected !== undefined && this.received !== this.expected) return this.fail('eaptls_length_mismatch');
    const message = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.received);
    this.reset();
    return { status: 'complete', message };
  }

  private fail(reason: 'eaptls_too_large' | 'eaptls_length_mismatch'): ReassemblyStep {
    this.reset();
    return { status: 'error', reason };
  }

  private reset() {
    this.parts = [];
    this.received = 0;
    this.expected = undefined;
  }
}

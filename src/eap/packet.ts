// EAP packet codec (RFC 3748 section 4): pure functions over Buffers.

export const EapCode = { Request: 1, Response: 2, Success: 3, Failure: 4 } as const;
export const EapType = { Identity: 1, Notification: 2, Nak: 3, Tls: 13 } as const;

export interface EapPacket {
  code: number;
  identifier: number;
  /** Present on Request/Response only. */
  type: number | undefined;
  /** Type-Data (after the type byte); empty for Success/Failure. */
  data: Buffer;
}

export type EapDecode = { ok: true; packet: EapPacket } | { ok: false; reason: 'eap_too_short' | 'eap_length_mismatch' | 'eap_bad_code' };

/**
 * Strict: the EAP Length must equal the data carried. RFC 3748 tolerates trailing padding on a
 * link, but over RADIUS the EAP-Message attributes carry exactly one packet (RFC 3579 3.1), so a
 * disagreement means a broken or hostile peer.
 */
export function decodeEap(buf: Buffer): EapDecode {
  if (buf.length < 4) return { ok: false, reason: 'eap_too_short' };
  const code = buf[0]!;
  const length = buf.readUInt16BE(2);
  if (length !== buf.length) return { ok: false, reason: 'eap_length_mismatch' };
  if (code === EapCode.Request || code === EapCode.Response) {
    if (length < 5) return { ok: false, reason: 'eap_too_short' };
    return { ok: true, packet: { code, identifier: buf[1]!, type: buf[4]!, data: buf.subarray(5) } };
  }
  if (code === EapCode.Success || code === EapCode.Failure) {
    if (length !== 4) return { ok: false, reason: 'eap_length_mismatch' };
    return { ok: true, packet: { code, identifier: buf[1]!, type: undefined, data: buf.subarray(4) } };
  }
  return { ok: false, reason: 'eap_bad_code' };
}

export function encodeEap(code: number, identifier: number, type?: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const hasType = type !== undefined;
  const length = 4 + (hasType ? 1 + data.length : 0);
  const out = Buffer.allocUnsafe(length);
  out[0] = code;
  out[1] = identifier & 0xff;
  out.writeUInt16BE(length, 2);
  if (hasType) {
    out[4] = type;
    data.copy(out, 5);
  }
  return out;
}

export const eapSuccess = (identifier: number) => encodeEap(EapCode.Success, identifier);
export const eapFailure = (identifier: number) => encodeEap(EapCode.Failure, identifier);

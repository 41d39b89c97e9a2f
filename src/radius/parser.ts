// Decoding of received RADIUS datagrams. Untrusted input: every failure is a value, never a throw.
import { Attr, HEADER, MAX_PACKET, MIN_PACKET, type RadiusAttribute, type RadiusPacket } from './packet.js';

export type DecodeResult =
  | {
      ok: true;
      packet: RadiusPacket;
      /** The datagram truncated to the Length field (padding dropped); a subarray, not a copy. */
      raw: Buffer;
      /** Byte offset in raw of the first Message-Authenticator VALUE, or -1 when absent. */
      messageAuthenticatorOffset: number;
    }
  | { ok: false; reason: 'too_short' | 'bad_length' | 'bad_attribute' | 'bad_message_authenticator_length' };

// Message-Authenticator is always a 16-byte HMAC-MD5, so the attribute is exactly 18 bytes (RFC 3579 3.2).
const MA_ATTR_LENGTH = 18;

/**
 * Decodes one datagram (RFC 2865 section 3). The authenticator and all attribute values are
 * subarrays of `raw`, which itself shares memory with `datagram`: nothing is copied, so the caller
 * must not reuse the datagram buffer while the packet is alive (node:dgram gives a fresh one each time).
 * No cryptographic check happens here; see authenticator.ts.
 */
export function decodePacket(datagram: Buffer): DecodeResult {
  if (datagram.length < MIN_PACKET) return { ok: false, reason: 'too_short' };

  const length = datagram.readUInt16BE(2);
  // A datagram shorter than Length must be dropped; longer is padding to be ignored (RFC 2865 3).
  if (length < MIN_PACKET || length > MAX_PACKET || length > datagram.length) {
    return { ok: false, reason: 'bad_length' };
  }
  const raw = datagram.subarray(0, length);

  const attributes: RadiusAttribute[] = [];
  let messageAuthenticatorOffset = -1;
  let pos = HEADER;
  while (pos < length) {
    // Type and Length octets must both fit, and the attribute may not run past Length.
    if (pos + 2 > length) return { ok: false, reason: 'bad_attribute' };
    const type = raw[pos] as number;
    const attrLength = raw[pos + 1] as number;
    if (attrLength < 2 || pos + attrLength > length) return { ok: false, reason: 'bad_attribute' };
    if (type === Attr.MessageAuthenticator) {
      if (attrLength !== MA_ATTR_LENGTH) return { ok: false, reason: 'bad_message_authenticator_length' };
      if (messageAuthenticatorOffset === -1) messageAuthenticatorOffset = pos + 2;
    }
    attributes.push({ type, value: raw.subarray(pos + 2, pos + attrLength) });
    pos += attrLength;
  }

  return {
    ok: true,
    packet: {
      code: raw[0] as number,
      identifier: raw[1] as number,
      authenticator: raw.subarray(4, HEADER),
      attributes,
    },
    raw,
    messageAuthenticatorOffset,
  };
}

// Encoding of RADIUS packets and attributes. Inputs come from our own code, so violations are
// programmer errors and throw RangeError; nothing here depends on received data.
import { Attr, HEADER, MAX_PACKET, type RadiusAttribute, type RadiusPacket } from './packet.js';

// An attribute's Length octet covers type+length+value, so the value is at most 255 - 2 bytes.
const MAX_VALUE = 253;
// Vendor-Specific value = vendor id (4) + vendor type (1) + vendor length (1) + data.
const VSA_HEADER = 6;

function checkOctet(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError(`${name} must be 0..255, got ${n}`);
}

/** Serializes a packet; Length is computed here, the authenticator is written as given. */
export function encodePacket(p: RadiusPacket): Buffer {
  checkOctet('code', p.code);
  checkOctet('identifier', p.identifier);
  if (p.authenticator.length !== 16) {
    throw new RangeError(`authenticator must be 16 bytes, got ${p.authenticator.length}`);
  }
  let length = HEADER;
  for (const a of p.attributes) {
    checkOctet('attribute type', a.type);
    if (a.value.length > MAX_VALUE) {
      throw new RangeError(`attribute ${a.type} value is ${a.value.length} bytes, max ${MAX_VALUE}`);
    }
    length += 2 + a.value.length;
  }
  if (length > MAX_PACKET) throw new RangeError(`packet would be ${length} bytes, max ${MAX_PACKET}`);

  const out = Buffer.allocUnsafe(length);
  out[0] = p.code;
  out[1] = p.identifier;
  out.writeUInt16BE(length, 2);
  p.authenticator.copy(out, 4);
  let pos = HEADER;
  for (const a of p.attributes) {
    out[pos] = a.type;
    out[pos + 1] = 2 + a.value.length;
    a.value.copy(out, pos + 2);
    pos += 2 + a.value.length;
  }
  return out;
}

/**
 * Builds an attribute. number → 32-bit unsigned big-endian ("integer", RFC 2865 5);
 * string → UTF-8 ("text"); Buffer → used as is (not copied).
 */
export function attr(type: number, value: Buffer | string | number): RadiusAttribute {
  checkOctet('attribute type', type);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`integer attribute ${type} must be 0..2^32-1, got ${value}`);
    }
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(value, 0);
    return { type, value: b };
  }
  return { type, value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value };
}

/** Vendor-Specific (26) holding one vendor sub-attribute, in the RFC 2865 5.26 recommended layout. */
export function vendorAttr(vendorId: number, vendorType: number, value: Buffer): RadiusAttribute {
  if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffffffff) {
    throw new RangeError(`vendor id must be 0..2^32-1, got ${vendorId}`);
  }
  checkOctet('vendor type', vendorType);
  if (value.length > MAX_VALUE - VSA_HEADER) {
    throw new RangeError(`vendor attribute value is ${value.length} bytes, max ${MAX_VALUE - VSA_HEADER}`);
  }
  const b = Buffer.allocUnsafe(VSA_HEADER + value.length);
  b.writeUInt32BE(vendorId, 0);
  b[4] = vendorType;
  b[5] = 2 + value.length;
  value.copy(b, VSA_HEADER);
  return { type: Attr.VendorSpecific, value: b };
}

// EAP-Message (79) fragmentation over RADIUS attributes (RFC 3579 3.1).
import { Attr, getAttributes, type RadiusAttribute, type RadiusPacket } from './packet.js';

// Largest value an attribute can hold (Length octet 255 minus type and length).
const CHUNK = 253;

/** Splits one EAP packet over consecutive EAP-Message attributes of up to 253 bytes (subarrays). */
export function splitEapMessage(eap: Buffer): RadiusAttribute[] {
  // An empty EAP-Message has a special meaning (EAP-Start, RFC 3579 3.1) and no EAP packet is empty.
  if (eap.length === 0) throw new RangeError('EAP packet is empty');
  const out: RadiusAttribute[] = [];
  for (let off = 0; off < eap.length; off += CHUNK) {
    out.push({ type: Attr.EapMessage, value: eap.subarray(off, off + CHUNK) });
  }
  return out;
}

/** Concatenates every EAP-Message attribute in wire order; undefined when there is none. */
export function joinEapMessage(p: RadiusPacket): Buffer | undefined {
  const parts = getAttributes(p, Attr.EapMessage);
  return parts.length === 0 ? undefined : Buffer.concat(parts);
}

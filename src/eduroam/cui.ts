// Chargeable-User-Identity (RFC 4372) for our members: an opaque value, stable per member and per
// visited operator, that reveals nothing about the member without the key.
//   CUI = base64url(HMAC-SHA256(key, lowercase(member) | 0x00 | Operator-Name))   (43 characters)
// Operator-Name (RFC 5580 4.1) is taken as sent (namespace octet included), empty when absent; the
// NUL separator cannot occur in an e-mail address, so no two inputs collide.
import { createHmac } from 'node:crypto';
import { Attr, type RadiusAttribute, type RadiusPacket, getAttribute } from '../radius/packet.js';

export function computeCui(key: Buffer, member: string, operatorName: Buffer | undefined): string {
  return createHmac('sha256', key)
    .update(member.toLowerCase(), 'utf8')
    .update(Buffer.from([0]))
    .update(operatorName ?? Buffer.alloc(0))
    .digest('base64url');
}

/**
 * The NAS asks for a CUI by sending the attribute with a single NUL octet (RFC 4372 2.1); on a
 * re-authentication it sends the value it got before. Either way it gets one; without the
 * attribute, none.
 */
export function cuiRequested(p: RadiusPacket): boolean {
  return getAttribute(p, Attr.ChargeableUserIdentity) !== undefined;
}

/** The CUI for an Access-Accept to this request, or undefined when the NAS did not ask or no key is available. */
export function cuiFor(p: RadiusPacket, member: string, key: Buffer | undefined): string | undefined {
  if (!key || !cuiRequested(p)) return undefined;
  return computeCui(key, member, getAttribute(p, Attr.OperatorName));
}

export const cuiAttribute = (cui: string): RadiusAttribute => ({ type: Attr.ChargeableUserIdentity, value: Buffer.from(cui, 'utf8') });

// A policy reply as RADIUS attributes of the Access-Accept.
//
// VLAN assignment (RFC 3580 3.31, attributes of RFC 2868): Tunnel-Type = VLAN (13),
// Tunnel-Medium-Type = IEEE-802 (6), Tunnel-Private-Group-Id = the VLAN ID or name, all for tag 0:
// - Tunnel-Type and Tunnel-Medium-Type carry the tag octet 0x00 ("unused", RFC 2868 3.1/3.2),
//   then the 24-bit value.
// - Tunnel-Private-Group-Id carries no tag octet: RFC 2868 3.6 reads a first octet above 0x1F as
//   the start of the string, and a VLAN ID or name always starts with a printable character.
// This is byte for byte what FreeRADIUS sends for `Tunnel-Type = VLAN, Tunnel-Medium-Type =
// IEEE-802, Tunnel-Private-Group-Id = "20"`, and hostapd (radius_msg_get_vlanid) groups all three
// into tunnel 0. A string with a 0x00 tag octet would also parse in hostapd, but a NAS that does
// not strip tags would see "\0" + "20".
import { Attr, type RadiusAttribute } from '../radius/packet.js';
import { attr } from '../radius/serializer.js';
import type { PolicyReply } from './types.js';

export const TUNNEL_TYPE_VLAN = 13;
export const TUNNEL_MEDIUM_IEEE_802 = 6;
/** The tag every tunnel attribute belongs to (see above). */
export const TUNNEL_TAG = 0;

/** A tagged 24-bit integer attribute (RFC 2868 Tunnel-Type, Tunnel-Medium-Type). */
export function taggedInteger(type: number, tag: number, value: number): RadiusAttribute {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0x1f) throw new RangeError(`tunnel tag must be 0..31, got ${tag}`);
  if (!Number.isInteger(value) || value < 0 || value > 0xffffff) throw new RangeError(`tagged integer must be 0..2^24-1, got ${value}`);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value, 0);
  b[0] = tag;
  return { type, value: b };
}

export function vlanAttributes(vlan: string): RadiusAttribute[] {
  if (vlan.length === 0 || vlan.charCodeAt(0) <= 0x1f) throw new RangeError('a VLAN must start with a printable character');
  return [
    taggedInteger(Attr.TunnelType, TUNNEL_TAG, TUNNEL_TYPE_VLAN),
    taggedInteger(Attr.TunnelMediumType, TUNNEL_TAG, TUNNEL_MEDIUM_IEEE_802),
    attr(Attr.TunnelPrivateGroupId, vlan),
  ];
}

/** The reply's attributes, in a fixed order. */
export function replyAttributes(reply: PolicyReply): RadiusAttribute[] {
  const out: RadiusAttribute[] = [];
  if (reply.vlan !== undefined) out.push(...vlanAttributes(reply.vlan));
  if (reply.sessionTimeout !== undefined) out.push(attr(Attr.SessionTimeout, reply.sessionTimeout));
  if (reply.class !== undefined) out.push(attr(Attr.Class, reply.class));
  if (reply.filterId !== undefined) out.push(attr(Attr.FilterId, reply.filterId));
  return out;
}

/** The reply as a person reads it (FreeRADIUS dictionary names), for `certgate check`. */
export function describeReply(reply: PolicyReply): string[] {
  const out: string[] = [];
  if (reply.vlan !== undefined) {
    out.push(`Tunnel-Type = VLAN (${TUNNEL_TYPE_VLAN}), tag ${TUNNEL_TAG}`);
    out.push(`Tunnel-Medium-Type = IEEE-802 (${TUNNEL_MEDIUM_IEEE_802}), tag ${TUNNEL_TAG}`);
    out.push(`Tunnel-Private-Group-Id = "${reply.vlan}"`);
  }
  if (reply.sessionTimeout !== undefined) out.push(`Session-Timeout = ${reply.sessionTimeout}`);
  if (reply.class !== undefined) out.push(`Class = "${reply.class}"`);
  if (reply.filterId !== undefined) out.push(`Filter-Id = "${reply.filterId}"`);
  return out;
}

// RFC 5176 Disconnect messages, as pure functions over Buffers. A Disconnect-Request carries the
// computed Request Authenticator (MD5 over the packet with 16 zero octets and the secret, RFC 5176
// 3.5) and a Message-Authenticator computed with that field zeroed (BlastRADIUS hardening: sent
// first). A Disconnect-ACK/-NAK carries the usual Response Authenticator over our Request
// Authenticator.
import { verifyMessageAuthenticator, verifyResponseAuthenticator } from '../radius/authenticator.js';
import { Attr, Code, type RadiusAttribute, getAttribute } from '../radius/packet.js';
import { decodePacket } from '../radius/parser.js';
import { encodeComputedRequest } from '../radius/reply.js';
import { attr } from '../radius/serializer.js';
import { isIP } from 'node:net';

// RFC 2869 5.3: seconds since 1970 (not in the shared attribute table).
export const EVENT_TIMESTAMP = 55;

/** Error-Cause values (RFC 5176 3.6), by number. */
export const ERROR_CAUSES: Readonly<Record<number, string>> = {
  201: 'Residual Session Context Removed',
  202: 'Invalid EAP Packet (Ignored)',
  401: 'Unsupported Attribute',
  402: 'Missing Attribute',
  403: 'NAS Identification Mismatch',
  404: 'Invalid Request',
  405: 'Unsupported Service',
  406: 'Unsupported Extension',
  407: 'Invalid Attribute Value',
  501: 'Administratively Prohibited',
  502: 'Request Not Routable (Proxy)',
  503: 'Session Context Not Found',
  504: 'Session Context Not Removable',
  505: 'Other Proxy Processing Error',
  506: 'Resources Unavailable',
  507: 'Request Initiated',
  508: 'Multiple Session Selection Unsupported',
};

export const errorCauseName = (n: number | null): string => (n === null ? 'none given' : (ERROR_CAUSES[n] ?? `unknown (${n})`));

/** What identifies the session to the NAS (RFC 5176 3: NAS identification + session identification). */
export interface DisconnectTarget {
  userName: string;
  acctSessionId: string;
  callingStationId: string | null;
  nasIdentifier: string | null;
  nasIpAddress: string | null;
  nasIpv6Address: string | null;
}

export function disconnectAttributes(t: DisconnectTarget, now: Date): RadiusAttribute[] {
  const out: RadiusAttribute[] = [];
  // NAS identification: repeat what the NAS itself sent in accounting, so it recognises itself.
  if (t.nasIpAddress !== null && isIP(t.nasIpAddress) === 4) out.push(attr(Attr.NasIpAddress, Buffer.from(t.nasIpAddress.split('.').map(Number))));
  if (t.nasIdentifier !== null) out.push(attr(Attr.NasIdentifier, t.nasIdentifier));
  if (t.nasIpv6Address !== null && isIP(t.nasIpv6Address) === 6) out.push(attr(Attr.NasIpv6Address, ipv6Bytes(t.nasIpv6Address)));
  out.push(attr(Attr.UserName, t.userName));
  out.push(attr(Attr.AcctSessionId, t.acctSessionId));
  if (t.callingStationId !== null) out.push(attr(Attr.CallingStationId, t.callingStationId));
  // Replay protection on the NAS side (RFC 5176 3.4, hostapd's radius_das_time_window).
  out.push(attr(EVENT_TIMESTAMP, Math.floor(now.getTime() / 1000)));
  return out;
}

export function encodeDisconnectRequest(identifier: number, t: DisconnectTarget, secret: Buffer, now: Date): Buffer {
  return encodeComputedRequest({ code: Code.DisconnectRequest, identifier, attributes: disconnectAttributes(t, now), secret, messageAuthenticator: true });
}

export type DisconnectReply =
  | { ok: true; kind: 'ack' }
  | { ok: true; kind: 'nak'; errorCause: number | null }
  | { ok: false; why: 'malformed' | 'not_a_reply' | 'wrong_identifier' | 'bad_authenticator' };

/**
 * Checks and reads a reply to our Disconnect-Request: the identifier, the Response Authenticator
 * over our Request Authenticator, and the Message-Authenticator when present.
 */
export function decodeDisconnectReply(datagram: Buffer, request: Buffer, secret: Buffer): DisconnectReply {
  const d = decodePacket(datagram);
  if (!d.ok) return { ok: false, why: 'malformed' };
  const p = d.packet;
  if (p.code !== Code.DisconnectAck && p.code !== Code.DisconnectNak) return { ok: false, why: 'not_a_reply' };
  if (p.identifier !== request[1]) return { ok: false, why: 'wrong_identifier' };
  const requestAuth = request.subarray(4, 20);
  if (!verifyResponseAuthenticator(d.raw, requestAuth, secret)) return { ok: false, why: 'bad_authenticator' };
  if (d.messageAuthenticatorOffset >= 0 && !verifyMessageAuthenticator(d.raw, d.messageAuthenticatorOffset, secret, requestAuth)) {
    return { ok: false, why: 'bad_authenticator' };
  }
  if (p.code === Code.DisconnectAck) return { ok: true, kind: 'ack' };
  const cause = getAttribute(p, Attr.ErrorCause);
  return { ok: true, kind: 'nak', errorCause: cause?.length === 4 ? cause.readUInt32BE(0) : null };
}

/** An IPv6 address (validated by isIP) as its 16 bytes. */
function ipv6Bytes(address: string): Buffer {
  let a = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, v4.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head = '', tail] = a.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

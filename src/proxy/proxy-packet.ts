// What a proxy changes in the packets it relays, and nothing more (RFC 2865 2.3 and 5.33,
// RFC 5080 2.2, RFC 3579 3.2). Pure functions over decoded packets.
import { Attr, Code, type RadiusAttribute, type RadiusPacket } from '../radius/packet.js';
import { type Leg, rewrapKeys } from './key-rewrap.js';

// Never relayed upstream: the NAS leg's Message-Authenticator (a new one is computed for the
// upstream leg) and User-Password, which is encrypted with the NAS's secret (certgate relays EAP only).
const NOT_FORWARDED: ReadonlySet<number> = new Set([Attr.MessageAuthenticator, Attr.UserPassword]);

/**
 * Attributes of the upstream Access-Request: the NAS's, in order (EAP-Message, State, the NAS's own
 * Proxy-States and everything else untouched), minus Message-Authenticator, plus our Proxy-State
 * last (RFC 2865 5.33: a proxy appends its own and must not touch the others).
 */
export function upstreamAttributes(nasRequest: RadiusPacket, proxyState: Buffer): RadiusAttribute[] {
  const out = nasRequest.attributes.filter((a) => !NOT_FORWARDED.has(a.type));
  out.push({ type: Attr.ProxyState, value: proxyState });
  return out;
}

export type NasReply = { ok: true; code: number; attributes: RadiusAttribute[] } | { ok: false; reason: string };

const RELAYED_CODES: ReadonlySet<number> = new Set([Code.AccessAccept, Code.AccessReject, Code.AccessChallenge]);

/**
 * The upstream's answer made into the NAS leg's reply draft:
 * - our Proxy-State must be the last Proxy-State (RFC 2865 5.33); all Proxy-States are removed, as
 *   the NAS-facing transport echoes the NAS's own ones from its request;
 * - the upstream's Message-Authenticator is removed (the NAS leg gets a new one, first);
 * - MS-MPPE keys and Tunnel-Password are re-encrypted from the upstream leg to the NAS leg;
 * - everything else (EAP-Message, State, Class, User-Name, CUI, ...) passes as it is, in order.
 */
export function nasReply(upstreamReply: RadiusPacket, proxyState: Buffer, upstream: Leg, nas: Leg, salt: () => number): NasReply {
  if (!RELAYED_CODES.has(upstreamReply.code)) return { ok: false, reason: `unexpected code ${upstreamReply.code}` };
  const states = upstreamReply.attributes.filter((a) => a.type === Attr.ProxyState);
  const ours = states[states.length - 1];
  if (!ours || !ours.value.equals(proxyState)) return { ok: false, reason: 'our Proxy-State is not the last Proxy-State' };
  const kept = upstreamReply.attributes.filter((a) => a.type !== Attr.ProxyState && a.type !== Attr.MessageAuthenticator);
  const r = rewrapKeys(kept, upstream, nas, salt);
  return r.ok ? { ok: true, code: upstreamReply.code, attributes: r.attributes } : r;
}

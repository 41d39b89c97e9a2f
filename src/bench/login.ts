// One EAP-TLS login over RADIUS as a wireless NAS with a supplicant behind it would run it:
// Identity → (State) → EAP-TLS rounds → Access-Accept/Reject, then the MS-MPPE keys of the
// Accept are decrypted and compared with the MSK the client derived itself.
import { EapCode, decodeEap } from '../eap/packet.js';
import { joinEapMessage, splitEapMessage } from '../radius/eap-message.js';
import { decryptMppeKey } from '../radius/mppe.js';
import { Attr, Code, MsAttr, type RadiusAttribute, type RadiusPacket, VENDOR_MICROSOFT, getAttribute } from '../radius/packet.js';
import { attr } from '../radius/serializer.js';
import { type ClientTls, EapTlsPeer, type PeerSession } from './eap-tls-client.js';
import type { RadiusClient } from './radius-client.js';

export interface LoginSetup {
  radius: RadiusClient;
  secret: Buffer;
  tls: ClientTls;
  identity: string;
  /** EAP-TLS fragment size the supplicant uses for its own messages. */
  fragmentSize: number;
  /** Framed-MTU sent to the server (caps its EAP packets). */
  framedMtu: number;
}

export type LoginOutcome =
  | { kind: 'accept'; rounds: number; resumed: boolean; version: string | undefined; mppeOk: boolean; session: PeerSession | undefined }
  | { kind: 'reject'; rounds: number; session: undefined }
  | { kind: 'timeout'; rounds: number; session: undefined }
  | { kind: 'error'; rounds: number; reason: string; session: undefined }
  | { kind: 'abandoned'; rounds: number; session: undefined };

// Far above any real EAP-TLS login (about 6-10 rounds at 1 KB fragments).
const MAX_ROUNDS = 100;
const NAS_PORT_TYPE_WIRELESS = 19;
const NAS_IP = Buffer.from([127, 0, 0, 1]);

/** A locally administered MAC address for station number n (up to 2^24 distinct). */
export const stationId = (slot: number): string =>
  `02-00-00-${((slot >> 16) & 0xff).toString(16).padStart(2, '0')}-${((slot >> 8) & 0xff).toString(16).padStart(2, '0')}-${(slot & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();

/**
 * `station` numbers the Calling-Station-Id (a slot's logins come from one device; abandoned
 * conversations each from their own, as after an access point reboot). `session` (from the slot's
 * previous login) is offered for resumption. `identityOnly` stops after the server's first
 * Access-Challenge and leaves the conversation pending on the server.
 */
export async function login(
  setup: LoginSetup,
  slot: number,
  station: number,
  session: PeerSession | undefined,
  identityOnly = false,
): Promise<LoginOutcome> {
  const peer = new EapTlsPeer({ tls: setup.tls, identity: setup.identity, fragmentSize: setup.fragmentSize, session });
  const fixed: RadiusAttribute[] = [
    attr(Attr.UserName, setup.identity),
    { type: Attr.NasIpAddress, value: NAS_IP },
    attr(Attr.NasPort, slot),
    attr(Attr.CalledStationId, '02-00-00-00-00-01:certgate-bench'),
    attr(Attr.CallingStationId, stationId(station)),
    attr(Attr.NasPortType, NAS_PORT_TYPE_WIRELESS),
    attr(Attr.FramedMtu, setup.framedMtu),
  ];
  let eap = peer.identityResponse(0);
  let state: Buffer | undefined;
  let rounds = 0;
  try {
    for (;;) {
      if (rounds >= MAX_ROUNDS) return { kind: 'error', rounds, reason: `more than ${MAX_ROUNDS} rounds`, session: undefined };
      const attrs = [...fixed, ...splitEapMessage(eap)];
      if (state) attrs.push({ type: Attr.State, value: state });
      const reply = await setup.radius.request(attrs);
      rounds++;
      if (!reply) return { kind: 'timeout', rounds, session: undefined };
      const p = reply.packet;
      if (p.code === Code.AccessReject) return { kind: 'reject', rounds, session: undefined };
      if (p.code === Code.AccessAccept) {
        const eapBytes = joinEapMessage(p);
        const success = eapBytes ? decodeEap(eapBytes) : undefined;
        if (!success?.ok || success.packet.code !== EapCode.Success) return { kind: 'error', rounds, reason: 'Access-Accept without EAP-Success', session: undefined };
        if (!peer.established) return { kind: 'error', rounds, reason: 'Access-Accept before the TLS handshake finished', session: undefined };
        return {
          kind: 'accept',
          rounds,
          resumed: peer.resumed,
          version: peer.version,
          mppeOk: mppeMatches(p, setup.secret, reply.requestAuthenticator, peer.msk()),
          session: peer.session,
        };
      }
      if (p.code !== Code.AccessChallenge) return { kind: 'error', rounds, reason: `unexpected RADIUS code ${p.code}`, session: undefined };
      if (identityOnly) return { kind: 'abandoned', rounds, session: undefined };
      state = getAttribute(p, Attr.State);
      const eapBytes = joinEapMessage(p);
      if (!eapBytes) return { kind: 'error', rounds, reason: 'Access-Challenge without EAP-Message', session: undefined };
      const d = decodeEap(eapBytes);
      if (!d.ok) return { kind: 'error', rounds, reason: d.reason, session: undefined };
      const step = await peer.respond(d.packet);
      if (step.kind === 'error') return { kind: 'error', rounds, reason: step.reason, session: undefined };
      eap = step.eap;
    }
  } finally {
    peer.destroy();
  }
}

/** MS-MPPE-Recv-Key must be MSK[0..32] and MS-MPPE-Send-Key MSK[32..64] (RFC 5216 2.3, RFC 2548). */
export function mppeMatches(p: RadiusPacket, secret: Buffer, requestAuthenticator: Buffer, msk: Buffer | undefined): boolean {
  if (!msk) return false;
  let recv: Buffer | undefined;
  let send: Buffer | undefined;
  for (const a of p.attributes) {
    if (a.type !== Attr.VendorSpecific || a.value.length < 8 || a.value.readUInt32BE(0) !== VENDOR_MICROSOFT) continue;
    const type = a.value[4];
    const data = a.value.subarray(6, 4 + (a.value[5] as number));
    if (type === MsAttr.MppeRecvKey) recv = decryptMppeKey(data, secret, requestAuthenticator);
    if (type === MsAttr.MppeSendKey) send = decryptMppeKey(data, secret, requestAuthenticator);
  }
  return recv !== undefined && send !== undefined && recv.equals(msk.subarray(0, 32)) && send.equals(msk.subarray(32, 64));
}

// An Accounting-Request (RFC 2866, RFC 2869 5.3 gigawords, RFC 2865 NAS attributes) as a typed
// record: what the JSON line holds and what subscribers (a later "live sessions" view) receive.
// Pure: a decoded packet in, a record out; malformed values become null, never a throw.
import { type RadiusPacket, getAttribute, getAttributes } from '../radius/packet.js';

const A = {
  UserName: 1,
  NasIpAddress: 4,
  NasPort: 5,
  FramedIpAddress: 8,
  Class: 25,
  CalledStationId: 30,
  CallingStationId: 31,
  NasIdentifier: 32,
  AcctStatusType: 40,
  AcctDelayTime: 41,
  AcctInputOctets: 42,
  AcctOutputOctets: 43,
  AcctSessionId: 44,
  AcctSessionTime: 46,
  AcctInputPackets: 47,
  AcctOutputPackets: 48,
  AcctTerminateCause: 49,
  AcctMultiSessionId: 50,
  AcctInputGigawords: 52,
  AcctOutputGigawords: 53,
  EventTimestamp: 55,
  ChargeableUserIdentity: 89,
  NasIpv6Address: 95,
  OperatorName: 126,
} as const;

export const STATUS_TYPES: Readonly<Record<number, string>> = {
  1: 'Start',
  2: 'Stop',
  3: 'Interim-Update',
  7: 'Accounting-On',
  8: 'Accounting-Off',
  15: 'Failed',
};

const TERMINATE_CAUSES = [
  '', 'User-Request', 'Lost-Carrier', 'Lost-Service', 'Idle-Timeout', 'Session-Timeout', 'Admin-Reset', 'Admin-Reboot', 'Port-Error',
  'NAS-Error', 'NAS-Request', 'NAS-Reboot', 'Port-Unneeded', 'Port-Preempted', 'Port-Suspended', 'Service-Unavailable', 'Callback',
  'User-Error', 'Host-Request',
];

export interface AccountingRecord {
  /** When certgate received it (ISO 8601). */
  receivedAt: string;
  /** The RADIUS client (from the config) and the source address it came from. */
  client: string;
  nas: string;
  /** "Start", "Stop", "Interim-Update", "Accounting-On", "Accounting-Off", "Failed", or the number. */
  statusType: string | null;
  sessionId: string | null;
  multiSessionId: string | null;
  userName: string | null;
  callingStationId: string | null;
  calledStationId: string | null;
  nasIdentifier: string | null;
  nasIpAddress: string | null;
  nasIpv6Address: string | null;
  nasPort: number | null;
  framedIpAddress: string | null;
  /** Class values (RFC 2865 5.25) as the Access-Accept gave them, hex (they are opaque octets). */
  class: string[];
  cui: string | null;
  operatorName: string | null;
  /** Event-Timestamp (RFC 2869 5.3) as ISO 8601. */
  eventTime: string | null;
  delaySeconds: number | null;
  sessionSeconds: number | null;
  /** Octets with the gigaword counters folded in (RFC 2869 5.1, 5.2). */
  inputOctets: number | null;
  outputOctets: number | null;
  inputPackets: number | null;
  outputPackets: number | null;
  terminateCause: string | null;
}

const text = (p: RadiusPacket, t: number) => getAttribute(p, t)?.toString('utf8') ?? null;
const u32 = (p: RadiusPacket, t: number) => {
  const v = getAttribute(p, t);
  return v?.length === 4 ? v.readUInt32BE(0) : null;
};
const ipv4 = (p: RadiusPacket, t: number) => {
  const v = getAttribute(p, t);
  return v?.length === 4 ? [...v].join('.') : null;
};
const ipv6 = (p: RadiusPacket, t: number) => {
  const v = getAttribute(p, t);
  if (v?.length !== 16) return null;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(v.readUInt16BE(i).toString(16));
  return groups.join(':');
};
const octets = (p: RadiusPacket, low: number, giga: number) => {
  const l = u32(p, low);
  if (l === null) return null;
  return (u32(p, giga) ?? 0) * 2 ** 32 + l;
};

/** The Acct-Status-Type name for metric labels: bounded (lowercase known names, else "other"). */
export function statusLabel(statusType: string | null): string {
  const known = Object.values(STATUS_TYPES);
  return statusType !== null && known.includes(statusType) ? statusType.toLowerCase().replace(/-/g, '_') : 'other';
}

export function accountingRecord(p: RadiusPacket, facts: { client: string; nas: string; receivedAt: Date }): AccountingRecord {
  const status = u32(p, A.AcctStatusType);
  const cause = u32(p, A.AcctTerminateCause);
  const event = u32(p, A.EventTimestamp);
  return {
    receivedAt: facts.receivedAt.toISOString(),
    client: facts.client,
    nas: facts.nas,
    statusType: status === null ? null : (STATUS_TYPES[status] ?? String(status)),
    sessionId: text(p, A.AcctSessionId),
    multiSessionId: text(p, A.AcctMultiSessionId),
    userName: text(p, A.UserName),
    callingStationId: text(p, A.CallingStationId),
    calledStationId: text(p, A.CalledStationId),
    nasIdentifier: text(p, A.NasIdentifier),
    nasIpAddress: ipv4(p, A.NasIpAddress),
    nasIpv6Address: ipv6(p, A.NasIpv6Address),
    nasPort: u32(p, A.NasPort),
    framedIpAddress: ipv4(p, A.FramedIpAddress),
    class: getAttributes(p, A.Class).map((c) => c.toString('hex')),
    cui: text(p, A.ChargeableUserIdentity),
    operatorName: text(p, A.OperatorName),
    eventTime: event === null ? null : new Date(event * 1000).toISOString(),
    delaySeconds: u32(p, A.AcctDelayTime),
    sessionSeconds: u32(p, A.AcctSessionTime),
    inputOctets: octets(p, A.AcctInputOctets, A.AcctInputGigawords),
    outputOctets: octets(p, A.AcctOutputOctets, A.AcctOutputGigawords),
    inputPackets: u32(p, A.AcctInputPackets),
    outputPackets: u32(p, A.AcctOutputPackets),
    terminateCause: cause === null ? null : (TERMINATE_CAUSES[cause] || String(cause)),
  };
}

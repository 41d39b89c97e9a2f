// RADIUS packet model and constants (RFC 2865 section 3, RFC 2866, RFC 3579, RFC 5176, RFC 5997).

export const Code = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  StatusClient: 13,
  DisconnectRequest: 40,
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoARequest: 43,
  CoAAck: 44,
  CoANak: 45,
} as const;

// Plain number rather than a union of Code values: the wire carries any octet, and the parser must
// hand unknown codes to the caller instead of refusing to represent them.
export type CodeNumber = number;

export const Attr = {
  UserName: 1,
  UserPassword: 2,
  NasIpAddress: 4,
  NasPort: 5,
  ServiceType: 6,
  FramedMtu: 12,
  FilterId: 11,
  ReplyMessage: 18,
  State: 24,
  Class: 25,
  VendorSpecific: 26,
  SessionTimeout: 27,
  CalledStationId: 30,
  CallingStationId: 31,
  NasIdentifier: 32,
  ProxyState: 33,
  AcctStatusType: 40,
  AcctSessionId: 44,
  NasPortType: 61,
  TunnelType: 64,
  TunnelMediumType: 65,
  TunnelPrivateGroupId: 81,
  EapMessage: 79,
  MessageAuthenticator: 80,
  NasPortId: 87,
  ChargeableUserIdentity: 89,
  NasIpv6Address: 95,
  ErrorCause: 101,
  OperatorName: 126,
} as const;

// RFC 2548: Microsoft vendor attributes carrying the MPPE keys derived from the EAP-TLS MSK.
export const VENDOR_MICROSOFT = 311;
export const MsAttr = { MppeSendKey: 16, MppeRecvKey: 17 } as const;

export interface RadiusAttribute {
  type: number;
  value: Buffer;
}

export interface RadiusPacket {
  code: number;
  identifier: number;
  /** 16 bytes: Request or Response Authenticator, depending on the code. */
  authenticator: Buffer;
  /** In wire order; repeated types are kept (order matters for EAP-Message and Proxy-State). */
  attributes: RadiusAttribute[];
}

export const MAX_PACKET = 4096;
export const MIN_PACKET = 20;
export const HEADER = 20;

/** Value of the first attribute of this type, or undefined. */
export function getAttribute(p: RadiusPacket, type: number): Buffer | undefined {
  for (const a of p.attributes) if (a.type === type) return a.value;
  return undefined;
}

/** Values of all attributes of this type, in wire order. */
export function getAttributes(p: RadiusPacket, type: number): Buffer[] {
  const out: Buffer[] = [];
  for (const a of p.attributes) if (a.type === type) out.push(a.value);
  return out;
}

/** First attribute of this type decoded as UTF-8 (RFC 2865 "text"), or undefined. */
export function getString(p: RadiusPacket, type: number): string | undefined {
  return getAttribute(p, type)?.toString('utf8');
}

// What the console needs from the gateway. The store methods may answer now or later (the
// SQLite store is synchronous, a shared PostgreSQL store is not): the console awaits either.
import type { DecisionRing } from '../../obs/decision-ring.js';
import type { CertRecord, RevocationReason, RevokeOutcome } from '../../store/types.js';

export type MaybePromise<T> = T | Promise<T>;

export interface ConsoleStore {
  /** The member's certificates, newest (current) first. */
  byMember(member: string): MaybePromise<CertRecord[]>;
  list(): MaybePromise<CertRecord[]>;
  /** Every certificate with this serial; when absent the console filters list(). */
  bySerial?(serial: string): MaybePromise<CertRecord[]>;
  revoke(serial: string, reason: RevocationReason, now: Date, issuer?: string): MaybePromise<RevokeOutcome>;
}

/** One live (accounted) session of a member, as a sessions source reports it. */
export interface LiveSession {
  /** Opaque id the source understands for disconnect (e.g. Acct-Session-Id + NAS). */
  id: string;
  member: string;
  startedAt: Date;
  client: string;
  nas: string;
  callingStationId: string | null;
  framedIp: string | null;
}

/**
 * Live sessions (RADIUS accounting) and RFC 5176 Disconnect, when the gateway has them. Without a
 * source the console shows no session list and offers no disconnect.
 */
export interface LiveSessionSource {
  forMember(member: string, now: Date): MaybePromise<LiveSession[]>;
  disconnect(id: string, now: Date): Promise<{ ok: boolean; message: string }>;
}

/** One line each for people; null when that source is not configured. */
export interface RevocationStatus {
  crl: string | null;
  ocsp: string | null;
}

export interface ConsoleDeps {
  token: Buffer;
  store: ConsoleStore;
  /** Called after a store write so it is in force at once. */
  changed: () => unknown;
  decisions: DecisionRing;
  now: () => Date;
  /** One structured audit log line (event "audit"). */
  audit: (action: string, fields: Record<string, unknown>) => void;
  /** The listener speaks TLS: cookies get the Secure flag. */
  tls: boolean;
  /** CRL and OCSP as configured and as /readyz tells them. */
  revocation: () => RevocationStatus;
  /** Realms the gateway serves, for the "wrong realm" explanation. */
  realms: readonly string[];
  sessions?: LiveSessionSource | undefined;
}

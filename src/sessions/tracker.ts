// Accounting records → live sessions. Subscribed to the accounting listener's hook
// (accounting/accounting-events.ts); the listener has answered the NAS already, nothing here can
// hold it up.
//
// A session is tied to its member by the User-Name the NAS reports (certgate's Access-Accept put
// the member's identity there), and to the login and certificate by certgate's Class token when
// the NAS echoes it. Without a token, the member's current certificate (at Start) stands in.
import { createHash } from 'node:crypto';
import type { AccountingRecord } from '../accounting/accounting-record.js';
import { type ClassTokenClaims, type ClassTokens, issuerHash } from './class-token.js';
import type { LiveSession, Removal, SessionTable } from './table.js';

export type IgnoredWhy = 'no_session_id' | 'no_user_name' | 'unknown_member' | 'status_type';

export interface SessionObserver {
  started(s: LiveSession, how: 'start' | 'interim'): void;
  /** An Interim-Update (or a repeated Start) of a session already known. */
  updated(s: LiveSession): void;
  ended(s: LiveSession, why: Removal): void;
  ignored(why: IgnoredWhy, r: AccountingRecord): void;
}

export interface TrackerDeps {
  table: SessionTable;
  tokens: ClassTokens;
  /** The member's current (valid) certificate, from the store snapshot. */
  currentCertificate(member: string): { serial: string; issuer: string } | undefined;
  observer: SessionObserver;
}

/** The session id: one NAS (as it names itself) and its Acct-Session-Id. */
export function sessionId(r: Pick<AccountingRecord, 'client' | 'nas' | 'nasIdentifier' | 'nasIpAddress' | 'nasIpv6Address'>, acctSessionId: string): string {
  const nasName = r.nasIdentifier ?? r.nasIpAddress ?? r.nasIpv6Address ?? '';
  return createHash('sha256').update([r.client, r.nas, nasName, acctSessionId].join('\u0000')).digest('hex').slice(0, 20);
}

/** Our Class token among the record's Class values (hex, as the accounting record keeps them). */
export function findToken(tokens: ClassTokens, classes: readonly string[]): ClassTokenClaims | null {
  for (const hex of classes) {
    const claims = tokens.decode(Buffer.from(hex, 'hex'));
    if (claims) return claims;
  }
  return null;
}

export class SessionTracker {
  constructor(private readonly deps: TrackerDeps) {}

  onAccounting(r: AccountingRecord): void {
    switch (r.statusType) {
      case 'Start':
      case 'Interim-Update':
        return this.upsert(r);
      case 'Stop': {
        if (r.sessionId === null) return this.deps.observer.ignored('no_session_id', r);
        const s = this.deps.table.remove(sessionId(r, r.sessionId));
        if (s) this.deps.observer.ended(s, 'stopped');
        return;
      }
      case 'Accounting-On':
      case 'Accounting-Off':
        // The NAS (re)started or is going down: none of its sessions survive (RFC 2866 5.1).
        for (const s of this.deps.table.forNas(r.client, r.nas)) {
          this.deps.table.remove(s.id);
          this.deps.observer.ended(s, 'nas_restarted');
        }
        return;
      default:
        return this.deps.observer.ignored('status_type', r);
    }
  }

  private upsert(r: AccountingRecord): void {
    const { table, observer } = this.deps;
    if (r.sessionId === null) return observer.ignored('no_session_id', r);
    if (r.userName === null) return observer.ignored('no_user_name', r);
    const received = Date.parse(r.receivedAt);
    const id = sessionId(r, r.sessionId);
    const known = table.get(id);
    const token = findToken(this.deps.tokens, r.class);
    const member = (token?.member ?? r.userName).trim().toLowerCase();
    let cert: LiveSession['cert'];
    let boundBy: LiveSession['boundBy'];
    if (token) {
      // The token carries the issuer's hash only; the DN is known when the token names the
      // member's current certificate (the usual case at Start) or was known before.
      const cur = this.deps.currentCertificate(member);
      let issuer: string | null = null;
      if (cur && cur.serial === token.serial && issuerHash(cur.issuer) === token.issuerHash) issuer = cur.issuer;
      else if (known && known.cert.serial === token.serial && known.cert.issuerHash === token.issuerHash) issuer = known.cert.issuer;
      cert = { serial: token.serial, issuerHash: token.issuerHash, issuer };
      boundBy = 'class';
    } else if (known && known.member === member) {
      // Bound at Start: the member may have renewed since, the session still runs on the old one.
      ({ cert, boundBy } = known);
    } else {
      const current = this.deps.currentCertificate(member);
      if (!current) return observer.ignored('unknown_member', r);
      cert = { serial: current.serial, issuerHash: issuerHash(current.issuer), issuer: current.issuer };
      boundBy = 'current_certificate';
    }
    // The NAS's own timing: Acct-Delay-Time back to when it happened, Acct-Session-Time to the start.
    const at = received - (r.delaySeconds ?? 0) * 1000;
    const startedAt = r.statusType === 'Start' ? at : (known?.startedAt ?? at - (r.sessionSeconds ?? 0) * 1000);
    const s: LiveSession = {
      id,
      member,
      userName: r.userName,
      cert,
      boundBy,
      client: r.client,
      nas: r.nas,
      nasIdentifier: r.nasIdentifier,
      nasIpAddress: r.nasIpAddress,
      nasIpv6Address: r.nasIpv6Address,
      acctSessionId: r.sessionId,
      callingStationId: r.callingStationId ?? known?.callingStationId ?? null,
      framedIpAddress: r.framedIpAddress ?? known?.framedIpAddress ?? null,
      startedAt,
      updatedAt: received,
    };
    for (const e of table.upsert(s)) observer.ended(e, 'evicted');
    if (!known) observer.started(s, r.statusType === 'Start' ? 'start' : 'interim');
    else observer.updated(s);
  }
}

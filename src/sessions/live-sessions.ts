// Live sessions as the gateway runs them: accounting in (tracker), the bounded table, its file
// (write-behind), and the rule that ends them: a session whose certificate stops being in force
// (revoked, superseded) gets an RFC 5176 Disconnect-Request, sent the moment the gateway's store
// snapshot sees the change. `certgate sessions disconnect` and the admin API do the same by hand.
import type { AccountingRecord } from '../accounting/accounting-record.js';
import type { DisconnectResult } from '../coa/disconnector.js';
import type { Destination } from '../coa/client.js';
import type { Logger } from '../obs/log.js';
import type { RevokedNotice } from '../revocation/types.js';
import type { StatusChange } from '../store/snapshot.js';
import type { CertRecord } from '../store/types.js';
import type { Decision } from '../verify/reasons.js';
import { type ClassTokens, issuerHash } from './class-token.js';
import type { SessionDb } from './session-db.js';
import { type LiveSession, type Removal, type SessionLimits, SessionTable } from './table.js';
import { type IgnoredWhy, SessionTracker } from './tracker.js';

/** What ends sessions: a store change, a CRL or OCSP revocation, a login's certificate found out of force, or an operator. */
export type Trigger = 'revoked' | 'superseded' | 'revoked_crl' | 'revoked_ocsp' | 'not_in_force' | 'admin';

export interface CertificateView {
  current(member: string): CertRecord | undefined;
  lookup(issuer: string, serial: string): CertRecord | undefined;
  /** null until the first refresh: before it, nothing is known to be out of force. */
  readonly syncedAt: Date | null;
}

export interface LiveSessionsDeps {
  limits: SessionLimits;
  tokens: ClassTokens;
  certificates: CertificateView;
  disconnect(s: LiveSession, now: Date): Promise<{ result: DisconnectResult; dest: Destination | null }>;
  /** The file behind the table; undefined keeps sessions in memory only. */
  db: SessionDb | undefined;
  log: Logger;
  metrics: {
    ended(why: Removal): void;
    ignored(why: IgnoredWhy): void;
    disconnect(trigger: Trigger, outcome: DisconnectResult['outcome']): void;
  };
  now: () => Date;
}

export interface DisconnectReport {
  session: SessionView;
  trigger: Trigger;
  outcome: DisconnectResult['outcome'];
  attempts: number;
  errorCause?: number | null;
  errorCauseName?: string;
  message?: string;
  /** The session was removed from the table (ACK, or NAK "Session Context Not Found"). */
  ended: boolean;
}

export type SessionView = ReturnType<typeof sessionView>;

/** A session as the API and the CLI show it (times as ISO 8601). */
export function sessionView(s: LiveSession) {
  return {
    id: s.id,
    member: s.member,
    serial: s.cert.serial,
    boundBy: s.boundBy,
    client: s.client,
    nas: s.nas,
    nasIdentifier: s.nasIdentifier,
    nasIpAddress: s.nasIpAddress,
    acctSessionId: s.acctSessionId,
    callingStationId: s.callingStationId,
    framedIpAddress: s.framedIpAddress,
    startedAt: new Date(s.startedAt).toISOString(),
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}

// RFC 5176 3.6: the NAS has no such session; it is not live, whatever our table says.
const SESSION_CONTEXT_NOT_FOUND = 503;

export class LiveSessions {
  readonly table: SessionTable;
  private readonly tracker: SessionTracker;
  private readonly inFlight = new Map<string, Promise<DisconnectReport>>();

  constructor(private readonly deps: LiveSessionsDeps) {
    this.table = new SessionTable(deps.limits);
    this.tracker = new SessionTracker({
      table: this.table,
      tokens: deps.tokens,
      currentCertificate: (member) => deps.certificates.current(member),
      observer: {
        started: (s, how) => {
          deps.log.debug({ event: 'session_start', session: s.id, member: s.member, serial: s.cert.serial, boundBy: s.boundBy, client: s.client, how }, 'session started');
          // A login whose certificate went out of force between the Accept and the accounting.
          if (this.standing(s) === 'ended') void this.disconnect(s, 'not_in_force');
        },
        // Still reported after its certificate went out of force: the NAS missed or refused the
        // Disconnect (or never answered); ask again, at the pace of its interim updates.
        updated: (s) => {
          if (this.standing(s) === 'ended') void this.disconnect(s, 'not_in_force');
        },
        ended: (s, why) => this.ended(s, why),
        ignored: (why) => deps.metrics.ignored(why),
      },
    });
    if (deps.db) {
      const { sessions, unreadable } = deps.db.load();
      const now = deps.now().getTime();
      // Oldest update first, so the table's update order holds; unreadable, expired and
      // over-limit rows go.
      const stale: string[] = [...unreadable];
      for (const s of sessions) {
        if (now - s.updatedAt > deps.limits.idleMs) stale.push(s.id);
        else stale.push(...this.table.upsert(s).map((e) => e.id));
      }
      this.table.takeDirty();
      deps.db.write(stale.map((id) => ({ id, session: undefined })));
      if (sessions.length > 0 || unreadable.length > 0) deps.log.info({ sessions: this.table.size, dropped: stale.length, unreadable: unreadable.length }, 'live sessions loaded');
    }
  }

  get size(): number {
    return this.table.size;
  }

  /** The Class value for an Access-Accept of this decision; undefined when it names no certificate. */
  classValue(d: Decision): Buffer | undefined {
    if (d.serial === null || d.issuer === null) return undefined;
    try {
      return this.deps.tokens.encode({ serial: d.serial, issuer: d.issuer, member: d.member, issuedAt: this.deps.now() });
    } catch (err) {
      // Never a reason to fail a login: without the token the session binds by the current certificate.
      this.deps.log.error({ err, serial: d.serial }, 'no Class token for this Accept');
      return undefined;
    }
  }

  /** The accounting listener's hook. */
  onAccounting(r: AccountingRecord): void {
    this.tracker.onAccounting(r);
  }

  /** The store snapshot saw certificates change status: end the sessions of those out of force. */
  certificatesChanged(changes: readonly StatusChange[]): void {
    for (const c of changes) {
      if (c.record.status === 'valid') continue;
      const trigger: Trigger = c.record.status === 'revoked' ? 'revoked' : 'superseded';
      for (const s of this.table.forCertificate(c.record.serial, issuerHash(c.record.issuer))) void this.disconnect(s, trigger);
    }
  }

  /**
   * A CRL swapped in or an OCSP answer says revoked (the revocation service's event): end the
   * sessions of those certificates. A CRL is probed once per live session (the table is bounded;
   * the CRL may not be), an OCSP answer is one index lookup. Returns how many were asked to end.
   */
  revokedElsewhere(n: RevokedNotice): number {
    const issuer = issuerHash(n.issuer);
    const hit =
      n.source === 'ocsp'
        ? this.table.forCertificate(n.serial, issuer)
        : this.table.list().filter((s) => s.cert.issuerHash === issuer && n.isRevoked(s.cert.serial));
    const trigger: Trigger = n.source === 'crl' ? 'revoked_crl' : 'revoked_ocsp';
    for (const s of hit) void this.disconnect(s, trigger);
    return hit.length;
  }

  /**
   * After a restart (once the snapshot is loaded): sessions whose certificate was revoked or
   * replaced while the gateway was down are disconnected now. Returns how many.
   */
  reconcile(): number {
    let n = 0;
    for (const s of this.table.list()) {
      if (this.standing(s) === 'ended') {
        n++;
        void this.disconnect(s, 'not_in_force');
      }
    }
    return n;
  }

  forMember(member: string): LiveSession[] {
    return this.table.forMember(member);
  }

  list(limit: number): LiveSession[] {
    return this.table.list(limit);
  }

  /** By hand (admin API, CLI, console): every session of the member. */
  disconnectMember(member: string, trigger: Trigger = 'admin'): Promise<DisconnectReport[]> {
    return Promise.all(this.table.forMember(member).map((s) => this.disconnect(s, trigger)));
  }

  disconnectSession(id: string, trigger: Trigger = 'admin'): Promise<DisconnectReport> | undefined {
    const s = this.table.get(id);
    return s && this.disconnect(s, trigger);
  }

  /** Sends the Disconnect-Request (once at a time per session) and applies the answer. */
  disconnect(s: LiveSession, trigger: Trigger): Promise<DisconnectReport> {
    const running = this.inFlight.get(s.id);
    if (running) return running;
    const p = this.send(s, trigger).finally(() => this.inFlight.delete(s.id));
    this.inFlight.set(s.id, p);
    return p;
  }

  /** Expires idle sessions; returns how many. */
  sweep(): number {
    const gone = this.table.sweep(this.deps.now().getTime());
    for (const s of gone) this.ended(s, 'expired');
    return gone.length;
  }

  /** Writes what changed since the last flush to the sessions file. */
  flush(): void {
    const db = this.deps.db;
    if (!db) return;
    const ids = this.table.takeDirty();
    try {
      db.write(ids.map((id) => ({ id, session: this.table.get(id) })));
    } catch (err) {
      this.deps.log.error({ err }, 'live sessions could not be written; retrying');
      for (const id of ids) this.table.markDirty(id);
    }
  }

  close(): void {
    this.flush();
    this.deps.db?.close();
  }

  /** Whether the session's certificate is still in force, as far as the snapshot tells. */
  private standing(s: LiveSession): 'in_force' | 'ended' | 'unknown' {
    const c = this.deps.certificates;
    if (c.syncedAt === null) return 'unknown';
    if (s.cert.issuer !== null) {
      const r = c.lookup(s.cert.issuer, s.cert.serial);
      return r === undefined ? 'unknown' : r.status === 'valid' ? 'in_force' : 'ended';
    }
    // Only the issuer's hash is known: the member's current certificate decides.
    const cur = c.current(s.member);
    if (cur === undefined) return 'unknown';
    return cur.serial === s.cert.serial && issuerHash(cur.issuer) === s.cert.issuerHash ? 'in_force' : 'ended';
  }

  private ended(s: LiveSession, why: Removal): void {
    this.deps.metrics.ended(why);
    const fields = { event: 'session_end', session: s.id, member: s.member, serial: s.cert.serial, client: s.client, why };
    if (why === 'evicted') this.deps.log.warn(fields, 'live session evicted: sessions.maxSessions or sessions.maxPerMember reached');
    else this.deps.log.debug(fields, `session ended (${why})`);
  }

  private async send(s: LiveSession, trigger: Trigger): Promise<DisconnectReport> {
    const started = Date.now();
    const { result: r, dest } = await this.deps.disconnect(s, this.deps.now());
    this.deps.metrics.disconnect(trigger, r.outcome);
    let ended = false;
    if (r.outcome === 'ack' || (r.outcome === 'nak' && r.errorCause === SESSION_CONTEXT_NOT_FOUND)) {
      ended = this.table.remove(s.id) !== undefined;
      if (ended) this.ended(s, r.outcome === 'ack' ? 'disconnected' : 'gone_on_nas');
    }
    const report: DisconnectReport = {
      session: sessionView(s),
      trigger,
      outcome: r.outcome,
      attempts: r.attempts,
      ...(r.outcome === 'nak' ? { errorCause: r.errorCause, errorCauseName: r.errorCauseName } : {}),
      ...('message' in r ? { message: r.message } : {}),
      ended,
    };
    const fields = {
      event: 'disconnect',
      trigger,
      member: s.member,
      serial: s.cert.serial,
      session: s.id,
      acctSessionId: s.acctSessionId,
      callingStationId: s.callingStationId,
      client: s.client,
      to: dest ? `${dest.address}:${dest.port}` : null,
      outcome: r.outcome,
      attempts: r.attempts,
      errorCause: report.errorCause,
      errorCauseName: report.errorCauseName,
      detail: report.message,
      ms: Date.now() - started,
    };
    switch (r.outcome) {
      case 'ack':
        this.deps.log.info(fields, 'disconnect: Disconnect-ACK, session ended');
        break;
      case 'nak':
        this.deps.log.warn(fields, `disconnect refused: Disconnect-NAK, Error-Cause ${r.errorCause ?? '-'} (${r.errorCauseName})`);
        break;
      case 'no_answer':
        this.deps.log.warn(fields, `disconnect: no answer from the NAS after ${r.attempts} attempts`);
        break;
      case 'no_coa_port':
        this.deps.log.info(fields, `disconnect not sent: ${r.message}`);
        break;
      case 'error':
        this.deps.log.error(fields, `disconnect failed: ${r.message}`);
        break;
    }
    return report;
  }
}

// In-memory view of the issued-certificate store for the hot path: logins never wait on SQLite or
// PostgreSQL. Kept current by pulling only the rows changed since the last seen `seq`, when the
// store's change token moves (SQLite: polled data_version; PostgreSQL: NOTIFY and reconnects). If
// the store cannot be reached the snapshot simply stays as it is: logins go on from memory.
import type { ChangeSet } from './store.js';
import { CERT_STATUSES, type CertRecord, type CertStatus } from './types.js';

/** What the snapshot needs from a store (CertStore provides it). */
export interface SnapshotSource {
  changesSince(seq: number): Promise<ChangeSet>;
  changeToken(): string;
  onChange(listener: () => void): () => void;
}

/** A certificate the snapshot already held whose status a refresh changed (e.g. valid → revoked). */
export interface StatusChange {
  record: CertRecord;
  previous: CertStatus;
}

function key(issuer: string, serial: string): string {
  return `${issuer}\u0000${serial}`;
}

export class StoreSnapshot {
  private readonly byKey = new Map<string, CertRecord>();
  private readonly byFingerprint = new Map<string, CertRecord>();
  private readonly statusListeners = new Set<(changes: StatusChange[]) => void>();
  private readonly currentByMember = new Map<string, CertRecord>();
  private readonly statusCounts: Record<CertStatus, number>;
  private appliedSeq = 0;
  private seenToken: string | undefined;
  private inFlight: Promise<number> | undefined;
  private again: Promise<number> | undefined;
  private lastSync: Date | null = null;
  private readonly now: () => Date;

  /** Empty until the first refresh() resolves. */
  constructor(
    readonly source: SnapshotSource,
    opts: { now?: () => Date } = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.statusCounts = Object.fromEntries(CERT_STATUSES.map((s) => [s, 0])) as Record<CertStatus, number>;
  }

  /** serial must be in normalised form (as certFacts gives it). */
  lookup(issuer: string, serial: string): CertRecord | undefined {
    return this.byKey.get(key(issuer, serial));
  }

  /** By SHA-256 fingerprint (hex, as CertRecord.fingerprint): how a resumed TLS 1.3 session names its certificate. */
  byFingerprintHex(fingerprint: string): CertRecord | undefined {
    return this.byFingerprint.get(fingerprint);
  }

  /** The member's valid certificate; undefined when the latest one is revoked or none exists. */
  current(member: string): CertRecord | undefined {
    return this.currentByMember.get(member.toLowerCase());
  }

  /**
   * Brings the snapshot up to date; resolves to the number of rows applied. Calls made while one
   * runs are folded into a single follow-up run, so a burst of notifications costs two pulls.
   */
  refresh(): Promise<number> {
    if (this.inFlight) {
      this.again ??= this.inFlight
        .catch(() => 0)
        .then(() => {
          this.again = undefined;
          return this.refresh();
        });
      return this.again;
    }
    this.inFlight = this.pull().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  counts(): Record<CertStatus, number> {
    return { ...this.statusCounts };
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The store seq the snapshot has applied up to. */
  get seq(): number {
    return this.appliedSeq;
  }

  /** When a refresh last completed (it was in step with the store then); null before the first. */
  get syncedAt(): Date | null {
    return this.lastSync;
  }

  private async pull(): Promise<number> {
    // Read before the changes: a commit racing with the read moves it again, so it is not missed.
    const token = this.source.changeToken();
    if (token === this.seenToken) {
      this.lastSync = this.now();
      return 0;
    }
    const changes = await this.source.changesSince(this.appliedSeq);
    if (changes.seq < this.appliedSeq) {
      // The store went back in time (restored from a backup): start again from nothing.
      this.clear();
      return this.pull();
    }
    const changed: StatusChange[] = [];
    for (const r of changes.rows) {
      const previous = this.byKey.get(key(r.issuer, r.serial))?.status;
      this.apply(r);
      if (previous !== undefined && previous !== r.status) changed.push({ record: r, previous });
    }
    this.appliedSeq = changes.seq;
    // Recorded only now: a failed pull leaves the token unseen, so the next poll tries again.
    this.seenToken = token;
    this.lastSync = this.now();
    if (changed.length > 0) for (const l of this.statusListeners) l(changed);
    return changes.rows.length;
  }

  /**
   * Called after each refresh that changed the status of certificates already known (revoked,
   * superseded, ...), whoever made the change: this gateway, the CLI, another gateway. Not called
   * for the rows of the first load. The listener must not throw. Returns unsubscribe.
   */
  onStatusChange(listener: (changes: StatusChange[]) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private clear(): void {
    this.byKey.clear();
    this.byFingerprint.clear();
    this.currentByMember.clear();
    for (const s of CERT_STATUSES) this.statusCounts[s] = 0;
    this.appliedSeq = 0;
    this.seenToken = undefined;
  }

  private apply(r: CertRecord): void {
    const k = key(r.issuer, r.serial);
    const old = this.byKey.get(k);
    if (old !== undefined) this.statusCounts[old.status]--;
    this.statusCounts[r.status]++;
    this.byKey.set(k, r);
    this.byFingerprint.set(r.fingerprint, r);
    const cur = this.currentByMember.get(r.member);
    if (r.status === 'valid') {
      // The store keeps at most one valid certificate per member; if a batch briefly shows two,
      // the later notBefore wins, as in the store.
      if (cur === undefined || key(cur.issuer, cur.serial) === k || cur.notBefore.getTime() <= r.notBefore.getTime()) {
        this.currentByMember.set(r.member, r);
      }
    } else if (cur !== undefined && key(cur.issuer, cur.serial) === k) {
      this.currentByMember.delete(r.member);
    }
  }
}

/**
 * Keeps the snapshot current: a poll every intervalMs (cheap: it compares change tokens) and an
 * immediate refresh whenever the store reports a change. Timers do not keep the process alive.
 * Returns stop.
 */
export function startSnapshotRefresher(snapshot: StoreSnapshot, intervalMs: number, onError: (err: unknown) => void): () => void {
  const run = () => {
    snapshot.refresh().catch(onError);
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  const unsubscribe = snapshot.source.onChange(run);
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}

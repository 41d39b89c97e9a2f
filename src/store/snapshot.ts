// In-memory view of the issued-certificate store for the hot path: logins never wait on SQLite.
// Kept current by pulling only the rows changed since the last seen `seq`.
import type { SqliteStore } from './sqlite-store.js';
import { CERT_STATUSES, type CertRecord, type CertStatus } from './types.js';

function key(issuer: string, serial: string): string {
  return `${issuer}\u0000${serial}`;
}

export class StoreSnapshot {
  private readonly store: SqliteStore;
  private readonly byKey = new Map<string, CertRecord>();
  private readonly currentByMember = new Map<string, CertRecord>();
  private readonly statusCounts: Record<CertStatus, number>;
  private seq = 0;
  private seenDataVersion = -1;
  private seenLocalWrites = -1;

  constructor(store: SqliteStore) {
    this.store = store;
    this.statusCounts = Object.fromEntries(CERT_STATUSES.map((s) => [s, 0])) as Record<CertStatus, number>;
    this.refresh();
  }

  /** serial must be in normalised form (as certFacts gives it). */
  lookup(issuer: string, serial: string): CertRecord | undefined {
    return this.byKey.get(key(issuer, serial));
  }

  /** The member's valid certificate; undefined when the latest one is revoked or none exists. */
  current(member: string): CertRecord | undefined {
    return this.currentByMember.get(member.toLowerCase());
  }

  refresh(): number {
    const dv = this.store.dataVersion();
    const lw = this.store.localWriteCount();
    if (dv === this.seenDataVersion && lw === this.seenLocalWrites) return 0;
    // Recorded before reading: a commit racing with the read is picked up by the next refresh.
    this.seenDataVersion = dv;
    this.seenLocalWrites = lw;
    const changes = this.store.changesSince(this.seq);
    if (changes.seq < this.seq) {
      // The file went back in time (restored from a backup): start again from nothing.
      this.clear();
      return this.refresh();
    }
    for (const r of changes.rows) this.apply(r);
    this.seq = changes.seq;
    return changes.rows.length;
  }

  counts(): Record<CertStatus, number> {
    return { ...this.statusCounts };
  }

  get size(): number {
    return this.byKey.size;
  }

  private clear(): void {
    this.byKey.clear();
    this.currentByMember.clear();
    for (const s of CERT_STATUSES) this.statusCounts[s] = 0;
    this.seq = 0;
    this.seenDataVersion = -1;
    this.seenLocalWrites = -1;
  }

  private apply(r: CertRecord): void {
    const k = key(r.issuer, r.serial);
    const old = this.byKey.get(k);
    if (old !== undefined) this.statusCounts[old.status]--;
    this.statusCounts[r.status]++;
    this.byKey.set(k, r);
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

/** Refreshes the snapshot every intervalMs without keeping the process alive; returns stop. */
export function startSnapshotRefresher(
  snapshot: StoreSnapshot,
  intervalMs: number,
  onError: (err: unknown) => void,
): () => void {
  const timer = setInterval(() => {
    try {
      snapshot.refresh();
    } catch (err) {
      onError(err);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

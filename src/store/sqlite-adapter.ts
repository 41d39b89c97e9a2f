// The SQLite store behind the asynchronous CertStore interface. Every call runs the synchronous
// SqliteStore method at once; a transaction() holds the connection until it ends, so other calls
// (a snapshot refresh, an admin API write) wait instead of reading or joining uncommitted work.
import { SqliteStore } from './sqlite-store.js';
import type { AddOptions, CertStore, ChangeSet, StoreConnection, StoreOps } from './store.js';
import type { AddOutcome, CertRecord, CertStatus, RevocationReason, RevokeOutcome } from './types.js';

export class SqliteCertStore implements CertStore {
  readonly kind = 'sqlite' as const;
  /** Set while a transaction() holds the connection; other calls queue behind it. */
  private held: Promise<void> | null = null;
  private readonly openedAt: Date;

  private constructor(
    readonly engine: SqliteStore,
    private readonly path: string,
    now: Date,
  ) {
    this.openedAt = now;
  }

  /** Opens (creating or migrating) the file; throws, naming the path, when it cannot. */
  static open(path: string, now: Date = new Date()): SqliteCertStore {
    return new SqliteCertStore(SqliteStore.open(path), path, now);
  }

  describe(): string {
    return this.path;
  }

  async connect(): Promise<void> {
    // Opened in open(): a broken file stops start-up there.
  }

  add(der: Buffer, now: Date, opts?: AddOptions): Promise<AddOutcome> {
    return this.run(() => this.engine.add(der, now, opts));
  }

  revoke(serial: string, reason: RevocationReason, now: Date, issuer?: string): Promise<RevokeOutcome> {
    return this.run(() => this.engine.revoke(serial, reason, now, issuer));
  }

  get(issuer: string, serial: string): Promise<CertRecord | undefined> {
    return this.run(() => this.engine.get(issuer, serial));
  }

  list(): Promise<CertRecord[]> {
    return this.run(() => this.engine.list());
  }

  byMember(member: string): Promise<CertRecord[]> {
    return this.run(() => this.engine.byMember(member));
  }

  bySerial(serial: string): Promise<CertRecord[]> {
    return this.run(() => this.engine.bySerial(serial));
  }

  counts(): Promise<Record<CertStatus, number>> {
    return this.run(() => this.engine.counts());
  }

  changesSince(seq: number): Promise<ChangeSet> {
    return this.run(() => this.engine.changesSince(seq));
  }

  currentSeq(): Promise<number> {
    return this.run(() => this.engine.currentSeq());
  }

  async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    while (this.held) await this.held;
    let release!: () => void;
    this.held = new Promise<void>((r) => (release = r));
    const e = this.engine;
    // Inside, calls go straight to the engine: they are part of this transaction.
    const tx: StoreOps = {
      add: async (der, now, opts) => e.add(der, now, opts),
      revoke: async (serial, reason, now, issuer) => e.revoke(serial, reason, now, issuer),
      get: async (issuer, serial) => e.get(issuer, serial),
    };
    try {
      e.begin();
      let result: T;
      try {
        result = await fn(tx);
      } catch (err) {
        e.rollback();
        throw err;
      }
      e.commit();
      return result;
    } finally {
      this.held = null;
      release();
    }
  }

  changeToken(): string {
    return `${this.engine.dataVersion()}:${this.engine.localWriteCount()}`;
  }

  onChange(): () => void {
    // SQLite has no notifications: the snapshot's poll of changeToken() finds other writers.
    return () => undefined;
  }

  connection(): StoreConnection {
    return { connected: true, since: this.openedAt, detail: '' };
  }

  async close(): Promise<void> {
    while (this.held) await this.held;
    this.engine.close();
  }

  private async run<T>(fn: () => T): Promise<T> {
    while (this.held) await this.held;
    return fn();
  }
}

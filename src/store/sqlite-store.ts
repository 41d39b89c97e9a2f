// The issued-certificate store on SQLite: who JAIST issued certificates to, which one is each
// member's current certificate, and what was revoked. Other processes (the CLI) write to the same
// file; the gateway follows their changes through `seq` and `PRAGMA data_version`.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { settleMember as settle } from './supersede.js';
import { tryNormaliseSerial } from '../verify/cert-facts.js';
import { addStopped, admissible } from './admission.js';
import {
  CERT_STATUSES,
  type AddOutcome,
  type CertRecord,
  type CertStatus,
  type RevocationReason,
  type RevokeOutcome,
} from './types.js';
import { CERT_COLUMNS, type CertRow as Row, certRecord } from './cert-row.js';

const SCHEMA_VERSION = 1;

// Dates are integer milliseconds since the epoch: exact, sortable, and zone-free.
const SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE certs (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  issuer            TEXT    NOT NULL,
  serial            TEXT    NOT NULL,
  fingerprint       TEXT    NOT NULL UNIQUE,
  member            TEXT    NOT NULL,
  subject           TEXT    NOT NULL,
  not_before        INTEGER NOT NULL,
  not_after         INTEGER NOT NULL,
  status            TEXT    NOT NULL CHECK (status IN ('valid', 'superseded', 'revoked')),
  revocation_reason TEXT,
  revoked_at        INTEGER,
  superseded_by     TEXT,
  added_at          INTEGER NOT NULL,
  seq               INTEGER NOT NULL,
  der               BLOB    NOT NULL,
  UNIQUE (issuer, serial)
);
CREATE INDEX certs_member ON certs (member, not_before);
CREATE INDEX certs_serial ON certs (serial);
CREATE INDEX certs_seq ON certs (seq);
INSERT INTO meta (key, value) VALUES ('schema_version', ${SCHEMA_VERSION}), ('seq', 0);
`;

// Index i upgrades schema version i+1 to i+2; empty while version 1 is the only one.
const MIGRATIONS: readonly string[] = [];

type CertRow = Row<number>;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function schemaVersion(db: Database.Database): number | null {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (hasMeta === undefined) {
    const others = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as { n: number };
    // Refuse to plant our tables in somebody else's database.
    if (others.n > 0) throw new Error('an SQLite database without a certgate meta table (not a certgate store)');
    return null;
  }
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: unknown } | undefined;
  const version = Number(row?.value);
  if (!Number.isInteger(version) || version < 1) throw new Error(`invalid schema_version ${String(row?.value)} in the meta table`);
  if (version > SCHEMA_VERSION) {
    throw new Error(`schema version ${version} is newer than this certgate supports (${SCHEMA_VERSION}); upgrade certgate`);
  }
  return version;
}

function migrate(db: Database.Database): void {
  // Checked without a write lock first: a gateway starting during a long CLI import must not wait.
  if (schemaVersion(db) === SCHEMA_VERSION) return;
  db.transaction(() => {
    const version = schemaVersion(db); // again, under the lock: another process may have won
    if (version === null) {
      db.exec(SCHEMA_V1);
      return;
    }
    for (let v = version; v < SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v - 1];
      if (step === undefined) throw new Error(`no migration from schema version ${v}`);
      db.exec(step);
    }
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(SCHEMA_VERSION);
  }).immediate();
}

export class SqliteStore {
  private readonly db: Database.Database;
  private writes = 0;
  private readonly stmt;

  private constructor(db: Database.Database) {
    this.db = db;
    this.stmt = {
      get: db.prepare(`SELECT ${CERT_COLUMNS} FROM certs WHERE issuer = ? AND serial = ?`),
      bySerial: db.prepare(`SELECT ${CERT_COLUMNS} FROM certs WHERE serial = ? ORDER BY id`),
      // Newest first: the current certificate (latest notBefore, then latest added) leads.
      byMember: db.prepare(`SELECT ${CERT_COLUMNS} FROM certs WHERE member = ? ORDER BY not_before DESC, id DESC`),
      list: db.prepare(`SELECT ${CERT_COLUMNS} FROM certs ORDER BY member, not_before, id`),
      since: db.prepare(`SELECT ${CERT_COLUMNS}, der FROM certs WHERE seq > ? ORDER BY seq, id`),
      counts: db.prepare('SELECT status, count(*) AS n FROM certs GROUP BY status'),
      seq: db.prepare("SELECT value FROM meta WHERE key = 'seq'"),
      // Prepared once: db.pragma() prepares a new statement per call (every 500 ms here), and
      // finalising statements has crashed better-sqlite3 12 on Node 24 (Statement::~Statement).
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      bump: db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'seq' RETURNING value"),
      insert: db.prepare(
        `INSERT INTO certs (issuer, serial, fingerprint, member, subject, not_before, not_after, status,
           revocation_reason, revoked_at, superseded_by, added_at, seq, der)
         VALUES (@issuer, @serial, @fingerprint, @member, @subject, @notBefore, @notAfter, 'valid',
           NULL, NULL, NULL, @addedAt, @seq, @der)`,
      ),
      setStatus: db.prepare('UPDATE certs SET status = ?, superseded_by = ?, seq = ? WHERE id = ?'),
      revoke: db.prepare(
        "UPDATE certs SET status = 'revoked', revocation_reason = ?, revoked_at = ?, seq = ? WHERE id = ?",
      ),
      byId: db.prepare(`SELECT ${CERT_COLUMNS} FROM certs WHERE id = ?`),
    };
  }

  static open(path: string): SqliteStore {
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
      db = new Database(path, { timeout: 5000 });
      // The first statement reads the header: a file that is not a database fails here.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      migrate(db);
      return new SqliteStore(db);
    } catch (e) {
      db?.close();
      throw new Error(`certificate store ${path}: ${errorMessage(e)}`, { cause: e });
    }
  }

  /** Runs fn in one transaction (nested store calls become savepoints): one commit for a batch. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  add(der: Buffer, now: Date, opts: { allowExpired?: boolean } = {}): AddOutcome {
    const facts = admissible(der);
    if ('outcome' in facts) return facts;
    const { member } = facts;
    return this.transaction((): AddOutcome => {
      const existing = this.stmt.get.get(facts.issuer, facts.serial) as CertRow | undefined;
      const stopped = addStopped(facts, existing, now, opts.allowExpired);
      if (stopped) return stopped;
      const seq = this.nextSeq();
      const info = this.stmt.insert.run({
        issuer: facts.issuer,
        serial: facts.serial,
        fingerprint: facts.fingerprint,
        member,
        subject: facts.subject,
        notBefore: facts.notBefore.getTime(),
        notAfter: facts.notAfter.getTime(),
        addedAt: now.getTime(),
        seq,
        der: facts.der,
      });
      this.settleMember(member, seq);
      return { outcome: 'added', record: certRecord(this.stmt.byId.get(info.lastInsertRowid) as CertRow) };
    });
  }

  /** Applies the one-current-certificate rule (supersede.ts) to a member's rows. */
  private settleMember(member: string, seq: number): void {
    for (const c of settle(this.stmt.byMember.all(member) as CertRow[])) this.stmt.setStatus.run(c.status, c.supersededBy, seq, c.id);
  }

  revoke(serial: string, reason: RevocationReason, now: Date, issuer?: string): RevokeOutcome {
    const s = tryNormaliseSerial(serial);
    if (s === null) return { outcome: 'not_found' };
    return this.transaction((): RevokeOutcome => {
      const rows = (
        issuer === undefined ? this.stmt.bySerial.all(s) : [this.stmt.get.get(issuer, s)].filter((r) => r !== undefined)
      ) as CertRow[];
      const [row] = rows;
      if (row === undefined) return { outcome: 'not_found' };
      if (rows.length > 1) return { outcome: 'ambiguous', records: rows.map(certRecord) };
      if (row.status === 'revoked') return { outcome: 'already_revoked', record: certRecord(row) };
      this.stmt.revoke.run(reason, now.getTime(), this.nextSeq(), row.id);
      return { outcome: 'revoked', record: certRecord(this.stmt.byId.get(row.id) as CertRow) };
    });
  }

  list(): CertRecord[] {
    return (this.stmt.list.all() as CertRow[]).map(certRecord);
  }

  /** Every certificate with this serial, from any issuer. */
  bySerial(serial: string): CertRecord[] {
    const s = tryNormaliseSerial(serial);
    return s === null ? [] : (this.stmt.bySerial.all(s) as CertRow[]).map(certRecord);
  }

  /**
   * Explicit transaction control for an asynchronous caller (the SqliteCertStore adapter), which
   * must keep every other use of this connection out until commit or rollback. Store calls in
   * between become savepoints of this transaction.
   */
  begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
  }

  commit(): void {
    this.db.exec('COMMIT');
  }

  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  /** The member's certificates, newest (current) first. */
  byMember(member: string): CertRecord[] {
    return (this.stmt.byMember.all(member.trim().toLowerCase()) as CertRow[]).map(certRecord);
  }

  get(issuer: string, serial: string): CertRecord | undefined {
    const s = tryNormaliseSerial(serial);
    if (s === null) return undefined;
    const row = this.stmt.get.get(issuer, s) as CertRow | undefined;
    return row && certRecord(row);
  }

  counts(): Record<CertStatus, number> {
    const out = Object.fromEntries(CERT_STATUSES.map((s) => [s, 0])) as Record<CertStatus, number>;
    for (const r of this.stmt.counts.all() as { status: CertStatus; n: number }[]) out[r.status] = r.n;
    return out;
  }

  /** Rows written after `seq`, and the store's seq they bring the reader up to (read atomically). */
  changesSince(seq: number): { rows: CertRecord[]; seq: number } {
    return this.db.transaction(() => ({
      rows: (this.stmt.since.all(seq) as CertRow[]).map(certRecord),
      seq: this.currentSeq(),
    }))();
  }

  currentSeq(): number {
    return Number((this.stmt.seq.get() as { value: number }).value);
  }

  /** Changes when ANOTHER connection commits; our own commits show in localWriteCount(). */
  dataVersion(): number {
    return this.stmt.dataVersion.get() as number;
  }

  /** Count of write transactions through this instance (data_version does not see them). */
  localWriteCount(): number {
    return this.writes;
  }

  close(): void {
    this.db.close();
  }

  private nextSeq(): number {
    this.writes++;
    return Number((this.stmt.bump.get() as { value: number }).value);
  }
}

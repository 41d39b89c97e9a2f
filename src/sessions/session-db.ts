// Live sessions kept across a restart: a small SQLite file of its own next to the store
// (`sessions.file`, default `<store>.sessions.db`). Not in the issued-certificate store because
// sessions are this gateway's own state (a NAS sends its accounting to one gateway; with a shared
// PostgreSQL store every gateway keeps the sessions it heard of), they change with every
// accounting packet, and the store's schema belongs to the issuing side. The in-memory table is
// the truth; this file is written behind it (changed sessions, once a second, in one transaction)
// and read once at start. It also keeps the Class token key when none is configured.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { LiveSession } from './table.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, updated_at INTEGER NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
`;

export class SessionDb {
  private readonly db: Database.Database;
  private readonly upsertStmt;
  private readonly deleteStmt;

  private constructor(db: Database.Database) {
    this.db = db;
    this.upsertStmt = db.prepare('INSERT INTO sessions (id, updated_at, data) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data');
    this.deleteStmt = db.prepare('DELETE FROM sessions WHERE id = ?');
  }

  /** Opens or creates the file; throws, naming it, when it cannot. */
  static open(path: string): SessionDb {
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
      db = new Database(path, { timeout: 2000 });
      db.pragma('journal_mode = WAL');
      // Losing the last second of session updates in a power cut is fine: accounting repeats them.
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      return new SessionDb(db);
    } catch (e) {
      db?.close();
      throw new Error(`sessions file ${path}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The stored Class token key material; made (32 random bytes) and kept on first use. */
  classKey(): Buffer {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'class_key'").get() as { value: Buffer } | undefined;
    if (row) return Buffer.from(row.value);
    const key = randomBytes(32);
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('class_key', ?)").run(key);
    return this.classKey();
  }

  /** Every stored session, oldest update first; the ids of rows that do not parse apart. */
  load(): { sessions: LiveSession[]; unreadable: string[] } {
    const rows = this.db.prepare('SELECT id, data FROM sessions ORDER BY updated_at, id').all() as { id: string; data: string }[];
    const sessions: LiveSession[] = [];
    const unreadable: string[] = [];
    for (const r of rows) {
      const s = parseSession(r.data);
      if (s && s.id === r.id) sessions.push(s);
      else unreadable.push(r.id);
    }
    return { sessions, unreadable };
  }

  /** Writes the given sessions (undefined: removed) in one transaction. */
  write(changes: { id: string; session: LiveSession | undefined }[]): void {
    if (changes.length === 0) return;
    this.db.transaction(() => {
      for (const c of changes) {
        if (c.session) this.upsertStmt.run(c.id, c.session.updatedAt, JSON.stringify(c.session));
        else this.deleteStmt.run(c.id);
      }
    })();
  }

  close(): void {
    this.db.close();
  }
}

function parseSession(text: string): LiveSession | undefined {
  try {
    const s = JSON.parse(text) as LiveSession;
    const ok =
      typeof s.id === 'string' &&
      typeof s.member === 'string' &&
      typeof s.userName === 'string' &&
      typeof s.acctSessionId === 'string' &&
      typeof s.client === 'string' &&
      typeof s.nas === 'string' &&
      typeof s.startedAt === 'number' &&
      typeof s.updatedAt === 'number' &&
      typeof s.cert?.serial === 'string' &&
      typeof s.cert?.issuerHash === 'string' &&
      (s.cert.issuer === null || typeof s.cert.issuer === 'string') &&
      (s.boundBy === 'class' || s.boundBy === 'current_certificate');
    return ok ? s : undefined;
  } catch {
    return undefined;
  }
}

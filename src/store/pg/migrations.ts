// The PostgreSQL schema, as numbered migrations recorded in certgate_migrations. Every gateway and
// the CLI run migrate() when they connect; an advisory lock makes concurrent starts take turns. A
// database migrated by a newer certgate is refused with a clear message, never written to.
// Migrations only add (tables, columns, indexes), so a gateway one version behind keeps working
// while the others are upgraded.
import type pg from 'pg';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Advisory lock keys: (LOCK_SPACE, n). LOCK_SPACE is "cert" in ASCII. */
export const LOCK_SPACE = 0x63657274;
export const LOCK_MIGRATE = 1;
export const LOCK_WRITE = 2;
export const LOCK_TICKET_KEYS = 3;

/** Tables carry a certgate_ prefix so the store can share a database with other applications. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'issued certificates and the change sequence',
    // The change sequence is one row updated under the write lock, not a SEQUENCE: sequences are
    // not transactional, and a reader must never see seq N committed before N-1.
    sql: `
CREATE TABLE certgate_certs (
  id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  issuer            text        NOT NULL,
  serial            text        NOT NULL,
  fingerprint       text        NOT NULL UNIQUE,
  member            text        NOT NULL,
  subject           text        NOT NULL,
  not_before        timestamptz NOT NULL,
  not_after         timestamptz NOT NULL,
  status            text        NOT NULL CHECK (status IN ('valid', 'superseded', 'revoked')),
  revocation_reason text,
  revoked_at        timestamptz,
  superseded_by     text,
  added_at          timestamptz NOT NULL,
  seq               bigint      NOT NULL,
  der               bytea       NOT NULL,
  UNIQUE (issuer, serial)
);
CREATE INDEX certgate_certs_member ON certgate_certs (member, not_before);
CREATE INDEX certgate_certs_serial ON certgate_certs (serial);
CREATE INDEX certgate_certs_seq ON certgate_certs (seq);
CREATE TABLE certgate_seq (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  value     bigint  NOT NULL
);
INSERT INTO certgate_seq (singleton, value) VALUES (true, 0);
`,
  },
  {
    version: 2,
    description: 'shared TLS session ticket keys',
    sql: `
CREATE TABLE certgate_ticket_keys (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key        bytea       NOT NULL CHECK (length(key) = 48),
  created_at timestamptz NOT NULL,
  not_after  timestamptz NOT NULL
);
CREATE INDEX certgate_ticket_keys_created ON certgate_ticket_keys (created_at);
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export class SchemaVersionError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(`schema version ${found} of the database is newer than this certgate supports (${supported}); upgrade certgate`);
    this.name = 'SchemaVersionError';
  }
}

/** Brings the schema up to the last migration in `migrations`; returns the versions applied. */
export async function migrate(client: pg.ClientBase, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, LOCK_MIGRATE]);
    await client.query(`CREATE TABLE IF NOT EXISTS certgate_migrations (
      version     integer     PRIMARY KEY,
      description text        NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now())`);
    const r = await client.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM certgate_migrations');
    const current = r.rows[0]?.v ?? 0;
    if (current > latest) throw new SchemaVersionError(current, latest);
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO certgate_migrations (version, description) VALUES ($1, $2)', [m.version, m.description]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

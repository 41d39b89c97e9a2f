// A real PostgreSQL for the shared-store tests. Each test file creates its own database
// (certgate_test_<random>) and drops it afterwards; the machine's server itself is never stopped
// (other things use it): tests cut connections with a TcpProxy instead.
// Under CI=true an unreachable server fails the suite (.ci/run starts it); elsewhere it skips.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server to use: $CERTGATE_TEST_PG_URL, else the local one with trust auth. */
export const ADMIN_URL = process.env.CERTGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function requirePostgres(): Promise<boolean> {
  const c = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch (e) {
    const msg = `PostgreSQL is not reachable at ${ADMIN_URL} (${(e as Error).message}); start it (pg_ctlcluster 15 main start) or set CERTGATE_TEST_PG_URL`;
    if (process.env.CI === 'true') throw new Error(`${msg}; under CI these tests must run`);
    console.warn(`${msg}: PostgreSQL tests skipped (never under CI=true)`);
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export interface TestDatabase {
  name: string;
  /** URL of the new database (direct, not through a proxy). */
  url: string;
  /** The same database reached at host:port (e.g. a proxy in front of the server). */
  urlVia(host: string, port: number): string;
  /** Runs SQL on the new database as the admin user. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<T>>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `certgate_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    name,
    url,
    urlVia(host, port) {
      const v = new URL(url);
      v.hostname = host;
      v.port = String(port);
      return v.toString();
    },
    async query(sql, params) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await c.query(sql, params);
      } finally {
        await c.end();
      }
    },
    async drop() {
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

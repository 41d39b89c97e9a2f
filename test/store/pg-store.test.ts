// PostgreSQL-only behaviour of the shared store: migrations (and refusing a newer schema), NOTIFY
// on every write, concurrent writers, losing the database (through a proxy the test cuts; the
// server keeps running) and resynchronising after it returns, and shared TLS ticket keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/store/pg/backoff.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../src/store/pg/migrations.js';
import { PgStore, redactUrl } from '../../src/store/pg-store.js';
import { StoreSnapshot, startSnapshotRefresher } from '../../src/store/snapshot.js';
import { StoreUnavailableError, type StoreEvent } from '../../src/store/store.js';
import { certFacts } from '../../src/verify/cert-facts.js';
import { makeMiniPki, type Issued } from '../helpers/mini-pki.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);
const pgUp = await requirePostgres();

async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - t0;
}

describe('backoff', () => {
  it('doubles from the base to the cap, with ±20% jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffMs(a, { baseMs: 250, maxMs: 5000 }, mid))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(backoffMs(0, { baseMs: 1000, maxMs: 5000 }, () => 0)).toBe(800);
    expect(backoffMs(0, { baseMs: 1000, maxMs: 5000 }, () => 0.9999)).toBe(1200);
    expect(backoffMs(9, { baseMs: 1000, maxMs: 5000 }, () => 0.9999)).toBe(5000);
  });

  it('redacts the password of a URL for logs', () => {
    expect(redactUrl('postgres://certgate:s3cret@db.example:5432/certgate')).toBe('postgres://certgate:***@db.example:5432/certgate');
    expect(redactUrl('postgres://certgate@db/certgate')).toBe('postgres://certgate@db/certgate');
  });
});

describe.runIf(pgUp)('PostgreSQL store', () => {
  let db: TestDatabase;
  let dir: string;
  let a1: Issued, a2: Issued, a3: Issued, bob: Issued, carol: Issued;
  let issuer: string;
  const stores: PgStore[] = [];
  const store = (opts: Partial<ConstructorParameters<typeof PgStore>[0]> = {}) => {
    const s = new PgStore({ url: db.url, follow: false, ...opts });
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'certgate-pg-'));
    const pki = makeMiniPki(join(dir, 'pki'));
    a1 = pki.issue({ serial: '1000', email: 'alice@jaist.ac.jp', notBefore: daysAgo(400), notAfter: daysAgo(-30) });
    a2 = pki.issue({ serial: '1001', email: 'alice@jaist.ac.jp', notBefore: daysAgo(10), notAfter: daysAgo(-355) });
    a3 = pki.issue({ serial: '1002', email: 'alice@jaist.ac.jp', notBefore: daysAgo(200), notAfter: daysAgo(-165) });
    bob = pki.issue({ serial: '2000', email: 'bob@jaist.ac.jp' });
    carol = pki.issue({ serial: '3000', email: 'carol@jaist.ac.jp' });
    issuer = certFacts(a1.der).issuer;
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('migrations', () => {
    it('creates the schema once, records each version, and is a no-op afterwards', async () => {
      const s = store();
      await s.connect();
      const rows = (await db.query<{ version: number; description: string }>('SELECT version, description FROM certgate_migrations ORDER BY version')).rows;
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(rows.at(-1)!.version).toBe(SCHEMA_VERSION);
      await store().connect();
      expect((await db.query('SELECT count(*)::int AS n FROM certgate_migrations')).rows[0]!.n).toBe(MIGRATIONS.length);
    });

    it('lets several gateways start at once on an empty database', async () => {
      const other = await createTestDatabase();
      try {
        const many = Array.from({ length: 4 }, () => new PgStore({ url: other.url, follow: false }));
        await Promise.all(many.map((s) => s.connect()));
        for (const s of many) await s.close();
        expect((await other.query('SELECT count(*)::int AS n FROM certgate_migrations')).rows[0]!.n).toBe(MIGRATIONS.length);
      } finally {
        await other.drop();
      }
    });

    it('upgrades an older schema step by step', async () => {
      const other = await createTestDatabase();
      try {
        const c = await import('pg').then((m) => new m.default.Client({ connectionString: other.url }));
        await c.connect();
        expect(await migrate(c, MIGRATIONS.slice(0, 1))).toEqual([1]);
        expect(await migrate(c)).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
        expect(await migrate(c)).toEqual([]);
        await c.end();
      } finally {
        await other.drop();
      }
    });

    it('refuses a database migrated by a newer certgate, naming both versions', async () => {
      const other = await createTestDatabase();
      try {
        const s = new PgStore({ url: other.url, follow: false });
        await s.connect();
        await other.query("INSERT INTO certgate_migrations (version, description) VALUES (99, 'from the future')");
        const again = new PgStore({ url: other.url, follow: false });
        await expect(again.connect()).rejects.toThrow(`schema version 99 of the database is newer than this certgate supports (${SCHEMA_VERSION}); upgrade certgate`);
        await again.close();
        await s.close();
      } finally {
        await other.drop();
      }
    });
  });

  it('NOTIFYs every write: a following store hears a write made elsewhere within a second', async () => {
    const gateway = store({ follow: true });
    await gateway.connect();
    const snap = new StoreSnapshot(gateway);
    await snap.refresh();
    const stop = startSnapshotRefresher(snap, 60_000, (e) => {
      throw e;
    }); // the poll is far away: only NOTIFY can bring the change in time
    try {
      const cli = store();
      await cli.connect();
      const t0 = Date.now();
      expect((await cli.add(bob.der, NOW)).outcome).toMatch(/added|exists/);
      await until(() => snap.lookup(issuer, '2000') !== undefined, 1000, 'the add to arrive');
      await cli.revoke('2000', 'affiliationChanged', NOW);
      const ms = await until(() => snap.lookup(issuer, '2000')?.status === 'revoked', 1000, 'the revocation to arrive');
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(ms).toBeLessThan(1000);
      // A refusal writes nothing and sends nothing.
      const token = gateway.changeToken();
      expect((await cli.add(bob.der, NOW)).outcome).toBe('exists');
      await new Promise((r) => setTimeout(r, 150));
      expect(gateway.changeToken()).toBe(token);
    } finally {
      stop();
    }
  });

  it('keeps the rules under concurrent writers on several connections', async () => {
    const writers = [store(), store(), store()];
    await Promise.all(writers.map((w) => w.connect()));
    const before = await writers[0]!.currentSeq();
    const results = await Promise.all([writers[0]!.add(a1.der, NOW), writers[1]!.add(a2.der, NOW), writers[2]!.add(a3.der, NOW), writers[0]!.add(carol.der, NOW)]);
    expect(results.map((r) => r.outcome)).toEqual(['added', 'added', 'added', 'added']);
    const mine = (await writers[1]!.byMember('alice@jaist.ac.jp')).map((r) => `${r.serial}:${r.status}`);
    expect(mine).toEqual(['1001:valid', '1002:superseded', '1000:superseded']);
    // Seqs are dense and unique: each write took the next one, in commit order.
    const seqs = results.map((r) => (r.outcome === 'refused' ? -1 : r.record.seq)).sort((x, y) => x - y);
    expect(seqs).toEqual([before + 1, before + 2, before + 3, before + 4]);
  });

  describe('losing the database', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      const u = new URL(db.url);
      proxy = await startTcpProxy(u.hostname, Number(u.port || 5432));
    });
    afterAll(async () => proxy?.close());

    it('serves the snapshot while cut off, fails writes clearly, reconnects with back-off and resyncs what it missed', async () => {
      const events: StoreEvent[] = [];
      const gateway = store({ url: db.urlVia('127.0.0.1', proxy.port), follow: true, onEvent: (e) => events.push(e), backoff: { baseMs: 100, maxMs: 400 }, pingIntervalMs: 200, pingTimeoutMs: 500 });
      await gateway.connect();
      const snap = new StoreSnapshot(gateway);
      await snap.refresh();
      const stop = startSnapshotRefresher(snap, 100, () => undefined);
      const direct = store();
      try {
        const known = snap.size;
        expect(known).toBeGreaterThan(0);
        expect(gateway.connection().connected).toBe(true);

        proxy.cut();
        await until(() => !gateway.connection().connected, 3000, 'the loss to be noticed');
        expect(gateway.connection().detail).toMatch(/reconnect attempt \d+ at/);
        expect(snap.size).toBe(known); // nothing lost from memory
        expect(snap.lookup(issuer, '1001')?.status).toBe('valid');
        const t0 = Date.now();
        await expect(gateway.revoke('1001', 'keyCompromise', NOW)).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(gateway.add(a1.der, NOW)).rejects.toThrow(/certificate store postgres:\/\/.* is unreachable/);
        expect(Date.now() - t0).toBeLessThan(8000);

        // Meanwhile, changes made straight on the database (the CLI on another host).
        await direct.connect();
        await direct.revoke('1001', 'keyCompromise', NOW);
        await direct.revoke('3000', 'affiliationChanged', NOW);
        await new Promise((r) => setTimeout(r, 500));
        expect(snap.lookup(issuer, '1001')?.status).toBe('valid'); // not seen yet: still cut off
        expect(events.some((e) => e.type === 'reconnect_failed')).toBe(true);

        proxy.restore();
        await until(() => gateway.connection().connected, 5000, 'the reconnect');
        await until(() => snap.lookup(issuer, '1001')?.status === 'revoked' && snap.lookup(issuer, '3000')?.status === 'revoked', 2000, 'the resync');
        expect(snap.seq).toBe(await direct.currentSeq());
        expect(events.filter((e) => e.type === 'connected').map((e) => e.type === 'connected' && e.reconnect)).toEqual([false, true]);
        // And writes work again.
        expect((await gateway.revoke('1001', 'keyCompromise', NOW)).outcome).toBe('already_revoked');
      } finally {
        stop();
      }
    }, 30_000);

    it('acknowledges a write only once committed: one cut in flight is refused and leaves nothing', async () => {
      proxy.restore();
      const gateway = store({ url: db.urlVia('127.0.0.1', proxy.port) });
      await gateway.connect();
      const pgm = await import('pg');
      const holder = new pgm.default.Client({ connectionString: db.url });
      await holder.connect();
      try {
        // Another writer holds the store's write lock, so the gateway's revoke waits in its transaction.
        await holder.query('BEGIN');
        await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [0x63657274, 2]);
        const inFlight = gateway.revoke('1002', 'keyCompromise', NOW, issuer).then(
          (r) => ({ ok: true as const, r }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        await until(async () => (await db.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows[0]!.n > 0, 3000, 'the write to wait for the lock');
        proxy.cut();
        const outcome = await inFlight;
        expect(outcome.ok).toBe(false);
        expect(!outcome.ok && outcome.e).toBeInstanceOf(StoreUnavailableError);
        await holder.query('COMMIT');
        // The server rolled the cut transaction back: the certificate is as it was, nothing half-written.
        const row = (await db.query<{ status: string; revocation_reason: string | null }>("SELECT status, revocation_reason FROM certgate_certs WHERE serial = '1002'")).rows[0];
        expect(row).toEqual({ status: 'superseded', revocation_reason: null });
        // An acknowledged write is in the database, whatever happens to the connection afterwards.
        proxy.restore();
        const direct = store();
        await direct.connect();
        const ack = await direct.add(carol.der, NOW);
        expect(ack.outcome).toMatch(/added|exists/);
        expect((await db.query("SELECT count(*)::int AS n FROM certgate_certs WHERE serial = '3000'")).rows[0]!.n).toBe(1);
      } finally {
        await holder.end().catch(() => undefined);
        proxy.restore();
      }
    }, 20_000);

    it('reconnects after its backend is terminated by the server (pg_terminate_backend)', async () => {
      const events: StoreEvent[] = [];
      const gateway = store({ follow: true, onEvent: (e) => events.push(e), backoff: { baseMs: 100, maxMs: 400 } });
      await gateway.connect();
      const snap = new StoreSnapshot(gateway);
      await snap.refresh();
      const stop = startSnapshotRefresher(snap, 100, () => undefined);
      try {
        await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'certgate-listen'");
        await until(() => events.some((e) => e.type === 'disconnected'), 3000, 'the loss');
        await until(() => gateway.connection().connected, 5000, 'the reconnect');
        const direct = store();
        await direct.connect();
        await direct.add(bob.der, NOW);
        await direct.transaction(async (tx) => tx.revoke('1002', 'superseded', NOW));
        await until(() => snap.lookup(issuer, '1002')?.status === 'revoked', 1000, 'a change after the reconnect');
      } finally {
        stop();
      }
    }, 20_000);
  });

  describe('shared TLS ticket keys', () => {
    const H = 3600_000;
    const policy = { rotateEveryMs: 12 * H, keepMs: 12 * H };

    it('rotates in the database: one current key for everyone, the previous kept, old ones deleted', async () => {
      const g1 = store();
      const g2 = store();
      await Promise.all([g1.connect(), g2.connect()]);
      await db.query('DELETE FROM certgate_ticket_keys');
      const t0 = new Date('2030-01-01T00:00:00Z');
      const [k1, k1b] = await Promise.all([g1.ticketKeys(t0, policy), g2.ticketKeys(t0, policy)]);
      expect(k1.current).toHaveLength(48);
      expect(k1b.current.equals(k1.current)).toBe(true);
      expect(k1.previous).toEqual([]);
      expect(k1.rotateAt).toEqual(new Date(t0.getTime() + 12 * H));
      const later = await g2.ticketKeys(new Date(t0.getTime() + 11 * H), policy);
      expect(later.current.equals(k1.current)).toBe(true);
      // Due: the first asker rotates, the other gets the same new key.
      const t12 = new Date(t0.getTime() + 12 * H);
      const [k2, k2b] = await Promise.all([g1.ticketKeys(t12, policy), g2.ticketKeys(t12, policy)]);
      expect(k2.current.equals(k1.current)).toBe(false);
      expect(k2b.current.equals(k2.current)).toBe(true);
      expect(k2.previous.map((k) => k.toString('hex'))).toEqual([k1.current.toString('hex')]);
      // Past the keep period the first key is gone.
      const k3 = await g1.ticketKeys(new Date(t0.getTime() + 25 * H), policy);
      expect(k3.previous.some((k) => k.equals(k1.current))).toBe(false);
      expect((await db.query('SELECT count(*)::int AS n FROM certgate_ticket_keys')).rows[0]!.n).toBeLessThanOrEqual(2);
    });
  });
});

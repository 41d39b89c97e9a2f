// The issued-certificate store on PostgreSQL, shared by several gateways and the CLI. Every write
// runs in a transaction holding one store-wide advisory lock (writes are rare: issuing, revoking,
// importing), takes the next change seq, and sends NOTIFY certgate_store with it; each gateway's
// LISTEN connection hears it and its snapshot pulls changesSince(seq) at once. When the database
// cannot be reached, reads and writes fail with StoreUnavailableError (nothing acknowledged) while
// the gateways keep serving from their in-memory snapshots.
import pg from 'pg';
import type { BackoffPolicy } from './pg/backoff.js';
import * as certs from './pg/certs.js';
import { isUnavailable, mapError } from './pg/errors.js';
import { CHANNEL, PgListener } from './pg/listener.js';
import { LOCK_SPACE, LOCK_WRITE, migrate } from './pg/migrations.js';
import { ticketKeysIn, type TicketKeyPolicy, type TicketKeys, type TicketKeySource } from './pg/ticket-keys.js';
import { StoreUnavailableError, type AddOptions, type CertStore, type ChangeSet, type StoreConnection, type StoreEvent, type StoreOps } from './store.js';
import type { AddOutcome, CertRecord, CertStatus, RevocationReason, RevokeOutcome } from './types.js';

export interface PgStoreOptions {
  /** postgres://user@host:port/database (postgresql:// too). */
  url: string;
  /** Given separately (file or environment) so it need not sit in the URL. */
  password?: string | undefined;
  /** Keep a LISTEN connection and report changes and reachability (a gateway); the CLI does not. */
  follow: boolean;
  now?: () => Date;
  onEvent?: (e: StoreEvent) => void;
  /** At most this many query connections (the LISTEN connection is one more). */
  poolSize?: number;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  backoff?: BackoffPolicy;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

/** The URL with the password, if any, replaced by "***": safe for logs and /readyz. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export class PgStore implements CertStore, TicketKeySource {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private listener: PgListener | undefined;
  private readonly changeListeners = new Set<() => void>();
  private readonly now: () => Date;
  private notifications = 0;
  private epoch = 0;
  private localWrites = 0;
  private closed = false;
  private readonly where: string;

  constructor(private readonly opts: PgStoreOptions) {
    this.now = opts.now ?? (() => new Date());
    this.where = redactUrl(opts.url);
    this.pool = new pg.Pool({ ...this.clientConfig(), max: opts.poolSize ?? 4, idleTimeoutMillis: 30_000 });
    // An idle pooled connection that dies (database restart, cut) must not take the process down.
    this.pool.on('error', (err) => this.emit({ type: 'pool_error', error: err.message }));
  }

  describe(): string {
    return this.where;
  }

  async connect(): Promise<void> {
    await this.withClient((c) => migrate(c));
    if (!this.opts.follow) return;
    const listener = new PgListener({
      // Named apart so an operator (or a test) can tell it in pg_stat_activity.
      newClient: () => new pg.Client({ ...this.clientConfig(), application_name: 'certgate-listen' }),
      now: this.now,
      onNotify: () => {
        this.notifications++;
        this.fire();
      },
      onConnected: (reconnect) => {
        // A new epoch makes the snapshot pull everything after its seq: what it missed while cut off.
        this.epoch++;
        this.emit({ type: 'connected', reconnect });
        if (reconnect) this.fire();
      },
      onDisconnected: (error) => this.emit({ type: 'disconnected', error }),
      onRetryFailed: (error, attempt, retryInMs) => this.emit({ type: 'reconnect_failed', error, attempt, retryInMs }),
      ...(this.opts.backoff ? { backoff: this.opts.backoff } : {}),
      ...(this.opts.pingIntervalMs ? { pingIntervalMs: this.opts.pingIntervalMs } : {}),
      ...(this.opts.pingTimeoutMs ? { pingTimeoutMs: this.opts.pingTimeoutMs } : {}),
    });
    try {
      await listener.start();
    } catch (e) {
      throw mapError(e, this.where);
    }
    this.listener = listener;
  }

  add(der: Buffer, now: Date, opts?: AddOptions): Promise<AddOutcome> {
    return this.write((tx) => certs.addIn(tx, der, now, opts));
  }

  revoke(serial: string, reason: RevocationReason, now: Date, issuer?: string): Promise<RevokeOutcome> {
    return this.write((tx) => certs.revokeIn(tx, serial, reason, now, issuer));
  }

  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.write((tx) =>
      fn({
        add: (der, now, opts) => certs.addIn(tx, der, now, opts),
        revoke: (serial, reason, now, issuer) => certs.revokeIn(tx, serial, reason, now, issuer),
        get: (issuer, serial) => certs.getIn(tx.client, issuer, serial),
      }),
    );
  }

  get(issuer: string, serial: string): Promise<CertRecord | undefined> {
    return this.read((p) => certs.getIn(p, issuer, serial));
  }

  list(): Promise<CertRecord[]> {
    return this.read((p) => certs.listAll(p));
  }

  byMember(member: string): Promise<CertRecord[]> {
    return this.read((p) => certs.byMember(p, member));
  }

  bySerial(serial: string): Promise<CertRecord[]> {
    return this.read((p) => certs.bySerial(p, serial));
  }

  counts(): Promise<Record<CertStatus, number>> {
    return this.read((p) => certs.counts(p));
  }

  currentSeq(): Promise<number> {
    return this.read((p) => certs.currentSeq(p));
  }

  changesSince(seq: number): Promise<ChangeSet> {
    return this.withClient((c) => certs.changesSince(c, seq));
  }

  ticketKeys(now: Date, policy?: TicketKeyPolicy): Promise<TicketKeys> {
    return this.withClient((c) => ticketKeysIn(c, now, policy));
  }

  changeToken(): string {
    return `${this.epoch}:${this.notifications}:${this.localWrites}`;
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  connection(): StoreConnection {
    const s = this.listener?.state;
    if (!s) return { connected: !this.closed, since: null, detail: '' };
    if (s.connected) return { connected: true, since: s.since, detail: '' };
    const retry = s.nextRetryAt ? `; reconnect attempt ${s.attempt + 1} at ${s.nextRetryAt.toISOString()}` : '';
    return { connected: false, since: s.since, detail: `${s.lastError ?? 'connection lost'}${retry}` };
  }

  /** Query connections: total, idle, and callers waiting for one (bounded by poolSize). */
  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener?.close();
    await this.pool.end().catch(() => undefined);
  }

  private clientConfig(): pg.ClientConfig {
    const u = new URL(this.opts.url);
    if (this.opts.password !== undefined) u.password = encodeURIComponent(this.opts.password);
    return {
      connectionString: u.toString(),
      application_name: 'certgate',
      connectionTimeoutMillis: this.opts.connectTimeoutMs ?? 3_000,
      query_timeout: this.opts.queryTimeoutMs ?? 30_000,
      keepAlive: true,
    };
  }

  private emit(e: StoreEvent): void {
    this.opts.onEvent?.(e);
  }

  private fire(): void {
    for (const l of this.changeListeners) l();
  }

  private async read<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(`the certificate store ${this.where} is closed`);
    try {
      return await fn(this.pool);
    } catch (e) {
      throw mapError(e, this.where);
    }
  }

  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(`the certificate store ${this.where} is closed`);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw mapError(e, this.where);
    }
    let broken: Error | undefined;
    // pg-pool leaves a checked-out client without an 'error' listener: a connection that dies while
    // we hold it (database gone mid-write) would otherwise be an uncaught error event.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (e) {
      if (isUnavailable(e)) broken = e as Error;
      throw mapError(e, this.where);
    } finally {
      client.off('error', onError);
      // A connection that failed is destroyed, not handed to the next caller.
      client.release(broken);
    }
  }

  /**
   * One write transaction under the store-wide lock. Acknowledged (resolved) only after COMMIT:
   * when the connection fails before that, the caller gets StoreUnavailableError and nothing was
   * acknowledged; if it fails during COMMIT the write may or may not be in, which the message says
   * (repeating an add or revoke is safe: it answers exists / already_revoked).
   */
  private async write<T>(fn: (tx: certs.Tx) => Promise<T>): Promise<T> {
    let committing = false;
    let wrote = false;
    try {
      const result = await this.withClient(async (client) => {
        await client.query('BEGIN');
        try {
          await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, LOCK_WRITE]);
          const tx: certs.Tx = { client, seq: null };
          const r = await fn(tx);
          if (tx.seq !== null) await client.query('SELECT pg_notify($1, $2)', [CHANNEL, String(tx.seq)]);
          committing = true;
          await client.query('COMMIT');
          wrote = tx.seq !== null;
          return r;
        } catch (e) {
          if (!isUnavailable(e)) await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
      });
      if (wrote) {
        this.localWrites++;
        this.fire();
      }
      return result;
    } catch (e) {
      if (committing && e instanceof StoreUnavailableError) {
        throw new StoreUnavailableError(`${e.message} (during COMMIT: the write may or may not be stored; repeating it is safe)`, { cause: e });
      }
      throw e;
    }
  }
}

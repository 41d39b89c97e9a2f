// The LISTEN connection: one dedicated PostgreSQL connection per gateway that receives the NOTIFY
// every store write sends. It is also how the gateway knows the store is reachable: when it drops
// (database down, connection cut, backend terminated) the listener reports it, reconnects with
// back-off, and after LISTEN is in place again reports `connected` so the snapshot resynchronises
// everything it missed (changesSince from its last seq). A ping with a deadline finds connections
// that die silently (a half-open TCP path sends no error).
import type pg from 'pg';
import { backoffMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';

export const CHANNEL = 'certgate_store';

export interface ListenerDeps {
  /** A new, unconnected client for the store's database. */
  newClient: () => pg.Client;
  now: () => Date;
  onNotify: (payload: string) => void;
  /** LISTEN is in place (first time or after a reconnect). */
  onConnected: (reconnect: boolean) => void;
  onDisconnected: (error: string) => void;
  onRetryFailed: (error: string, attempt: number, retryInMs: number) => void;
  backoff?: BackoffPolicy;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

export interface ListenerState {
  connected: boolean;
  since: Date | null;
  lastError: string | null;
  attempt: number;
  nextRetryAt: Date | null;
}

export class PgListener {
  private client: pg.Client | undefined;
  private closing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private everConnected = false;
  readonly state: ListenerState = { connected: false, since: null, lastError: null, attempt: 0, nextRetryAt: null };

  constructor(private readonly deps: ListenerDeps) {}

  /** The first connection: failing here fails start-up (no snapshot to fall back on yet). */
  async start(): Promise<void> {
    await this.connectOnce();
    const every = this.deps.pingIntervalMs ?? 2_000;
    this.pingTimer = setInterval(() => void this.ping(), every);
    this.pingTimer.unref();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const c = this.client;
    this.client = undefined;
    this.state.connected = false;
    await c?.end().catch(() => undefined);
  }

  private async connectOnce(): Promise<void> {
    const client = this.deps.newClient();
    client.on('error', (err) => this.lost(client, err.message));
    client.on('end', () => this.lost(client, 'connection ended'));
    client.on('notification', (n) => {
      if (n.channel === CHANNEL) this.deps.onNotify(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (e) {
      client.end().catch(() => undefined);
      throw e;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    const reconnect = this.everConnected;
    this.everConnected = true;
    Object.assign(this.state, { connected: true, since: this.deps.now(), attempt: 0, nextRetryAt: null });
    this.deps.onConnected(reconnect);
  }

  private lost(client: pg.Client, error: string): void {
    if (client !== this.client || this.closing) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    Object.assign(this.state, { connected: false, since: this.deps.now(), lastError: error });
    this.deps.onDisconnected(error);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closing) return;
    const delay = backoffMs(this.state.attempt, this.deps.backoff ?? DEFAULT_BACKOFF);
    this.state.nextRetryAt = new Date(this.deps.now().getTime() + delay);
    this.retryTimer = setTimeout(() => {
      this.connectOnce().catch((e: unknown) => {
        const msg = e instanceof Error ? e.message || String((e as { code?: unknown }).code) : String(e);
        this.state.lastError = msg;
        const attempt = ++this.state.attempt;
        if (this.closing) return;
        this.scheduleRetry();
        this.deps.onRetryFailed(msg, attempt, Math.max(0, (this.state.nextRetryAt?.getTime() ?? 0) - this.deps.now().getTime()));
      });
    }, delay);
    this.retryTimer.unref();
  }

  private async ping(): Promise<void> {
    const c = this.client;
    if (!c) return;
    const timeout = this.deps.pingTimeoutMs ?? 3_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        c.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to a ping within ${timeout} ms`)), timeout);
        }),
      ]);
    } catch (e) {
      this.lost(c, e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
    }
  }
}

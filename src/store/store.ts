// The issued-certificate store as every layer sees it: the gateway, the CLI, the admin API and the
// console. SQLite (embedded, one gateway) and PostgreSQL (several gateways) implement it with the
// same semantics: the latest notBefore supersedes whatever the order of adds, a revocation never
// brings an older certificate back, and refusals are values. PostgreSQL is asynchronous, so the
// interface is too; the hot path never calls it (it reads the in-memory StoreSnapshot).
import type { AddOutcome, CertRecord, CertStatus, RevocationReason, RevokeOutcome } from './types.js';

export interface AddOptions {
  allowExpired?: boolean;
}

/** Rows written after a seq, and the store's seq they bring the reader up to (read atomically). */
export interface ChangeSet {
  rows: CertRecord[];
  seq: number;
}

/** What one transaction may do: `certgate store import` runs many of these in one commit. */
export interface StoreOps {
  add(der: Buffer, now: Date, opts?: AddOptions): Promise<AddOutcome>;
  revoke(serial: string, reason: RevocationReason, now: Date, issuer?: string): Promise<RevokeOutcome>;
  get(issuer: string, serial: string): Promise<CertRecord | undefined>;
}

export interface StoreConnection {
  /** SQLite: always true once open. PostgreSQL: the change-notification (LISTEN) connection is up. */
  connected: boolean;
  /** When the current state (connected or lost) began; null before the first connection. */
  since: Date | null;
  /** For people: the last error and the next reconnect attempt, or "" when there is nothing to say. */
  detail: string;
}

export interface CertStore extends StoreOps {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store is, for logs: a path, or a URL without its password. */
  describe(): string;
  /** Opens what must be open before use (PostgreSQL: connect, migrate, LISTEN); throws when it cannot. */
  connect(): Promise<void>;
  list(): Promise<CertRecord[]>;
  /** The member's certificates, newest (current) first. */
  byMember(member: string): Promise<CertRecord[]>;
  /** Every certificate with this serial (from any issuer). */
  bySerial(serial: string): Promise<CertRecord[]>;
  counts(): Promise<Record<CertStatus, number>>;
  changesSince(seq: number): Promise<ChangeSet>;
  currentSeq(): Promise<number>;
  /** Runs fn in one transaction: all of its writes commit together or none does. */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /**
   * A cheap, synchronous value that changes whenever the store may have changed (SQLite: its
   * data_version and our own writes; PostgreSQL: notifications received, our writes, reconnects).
   * The snapshot pulls changesSince only when it moves.
   */
  changeToken(): string;
  /** Called at once when a change is known (PostgreSQL NOTIFY, a reconnect); returns unsubscribe. */
  onChange(listener: () => void): () => void;
  connection(): StoreConnection;
  close(): Promise<void>;
}

/**
 * The store cannot be reached (PostgreSQL down, connection cut). Nothing was acknowledged: a write
 * that failed this way may be retried (add and revoke are idempotent).
 */
export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Events a store reports for logs and metrics. */
export type StoreEvent =
  | { type: 'connected'; reconnect: boolean }
  | { type: 'disconnected'; error: string }
  | { type: 'reconnect_failed'; error: string; attempt: number; retryInMs: number }
  | { type: 'pool_error'; error: string };

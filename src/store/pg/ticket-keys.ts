// TLS session ticket keys shared through PostgreSQL, so a session ticket issued by one gateway can
// be resumed at another (the AP fails over between primary and secondary). Rotation happens in the
// database under an advisory lock: whichever gateway first finds the newest key too old creates the
// next one, and every gateway then reads the same current key. Old keys are kept for `keepMs`
// (tickets they sealed stay decryptable where the TLS stack supports several keys) and deleted
// after. A resumed session still goes through the revocation re-check (RFC 9190 5.7): sharing keys
// shares sessions, not decisions.
//
// The keys decrypt every ticket: whoever can read certgate_ticket_keys can read resumed sessions'
// secrets. Grant that table to the gateways' role only (docs/postgresql.md).
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { LOCK_SPACE, LOCK_TICKET_KEYS } from './migrations.js';

/** 48 bytes: the key format node:tls (tls.Server#setTicketKeys) and OpenSSL use. */
export const TICKET_KEY_BYTES = 48;

export interface TicketKeyPolicy {
  /** A new key is made when the newest is this old. */
  rotateEveryMs: number;
  /** How long a key stays available after it stops being current. */
  keepMs: number;
}

export const DEFAULT_TICKET_KEY_POLICY: TicketKeyPolicy = { rotateEveryMs: 12 * 3600_000, keepMs: 12 * 3600_000 };

export interface TicketKeys {
  /** The key to seal new tickets with (and the first to try when opening one). */
  current: Buffer;
  /** Older keys still within their keep period, newest first. */
  previous: Buffer[];
  /** When `current` was made, and when the next rotation is due. */
  createdAt: Date;
  rotateAt: Date;
}

/** What the TLS side needs: the shared keys as of `now`, rotating them when due. */
export interface TicketKeySource {
  ticketKeys(now: Date, policy?: TicketKeyPolicy): Promise<TicketKeys>;
}

interface KeyRow {
  key: Buffer;
  created_at: Date;
}

export async function ticketKeysIn(
  client: pg.ClientBase,
  now: Date,
  policy: TicketKeyPolicy = DEFAULT_TICKET_KEY_POLICY,
  newKey: () => Buffer = () => randomBytes(TICKET_KEY_BYTES),
): Promise<TicketKeys> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, LOCK_TICKET_KEYS]);
    const newest = await client.query<KeyRow>('SELECT key, created_at FROM certgate_ticket_keys WHERE created_at <= $1 ORDER BY created_at DESC, id DESC LIMIT 1', [now]);
    const top = newest.rows[0];
    if (top === undefined || top.created_at.getTime() + policy.rotateEveryMs <= now.getTime()) {
      const key = newKey();
      if (key.length !== TICKET_KEY_BYTES) throw new Error(`a ticket key must be ${TICKET_KEY_BYTES} bytes, got ${key.length}`);
      await client.query('INSERT INTO certgate_ticket_keys (key, created_at, not_after) VALUES ($1, $2, $3)', [
        key,
        now,
        new Date(now.getTime() + policy.rotateEveryMs + policy.keepMs),
      ]);
    }
    await client.query('DELETE FROM certgate_ticket_keys WHERE not_after < $1', [now]);
    const live = await client.query<KeyRow>('SELECT key, created_at FROM certgate_ticket_keys WHERE created_at <= $1 ORDER BY created_at DESC, id DESC', [now]);
    await client.query('COMMIT');
    const [current, ...previous] = live.rows;
    return {
      current: current!.key,
      previous: previous.map((r) => r.key),
      createdAt: current!.created_at,
      rotateAt: new Date(current!.created_at.getTime() + policy.rotateEveryMs),
    };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

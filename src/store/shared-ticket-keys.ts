// Follows the TLS ticket keys kept in the shared (PostgreSQL) store: fetches them now and every
// intervalMs (rotating them there when due, see pg/ticket-keys.ts) and hands a changed current key
// to `apply` (the handshake pool). While the store is unreachable the keys in use stay.
import type { TicketKeyPolicy, TicketKeySource } from './pg/ticket-keys.js';

export interface TicketKeyFollowerOptions {
  source: TicketKeySource;
  policy: TicketKeyPolicy;
  intervalMs: number;
  now: () => Date;
  apply: (key: Buffer) => void;
  onError: (err: unknown) => void;
}

export interface TicketKeyFollower {
  /** Fetch (and apply) now; resolves false when the store could not be asked. */
  sync(): Promise<boolean>;
  stop(): void;
}

export function followSharedTicketKeys(o: TicketKeyFollowerOptions): TicketKeyFollower {
  let current: Buffer | undefined;
  const sync = async (): Promise<boolean> => {
    try {
      const keys = await o.source.ticketKeys(o.now(), o.policy);
      if (!current || !keys.current.equals(current)) {
        current = keys.current;
        o.apply(keys.current);
      }
      return true;
    } catch (err) {
      o.onError(err);
      return false;
    }
  };
  const timer = setInterval(() => void sync(), o.intervalMs);
  timer.unref();
  return { sync, stop: () => clearInterval(timer) };
}

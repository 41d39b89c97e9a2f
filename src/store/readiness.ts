// The "store" line of /readyz. Readiness stays true while the database is away: the gateway keeps
// answering logins from its snapshot, which is what a campus wants from its RADIUS servers (taking
// every gateway out of rotation would turn a database outage into a Wi-Fi outage). The line, the
// certgate_store_connected metric and certgate_store_disconnected_seconds say how stale it may be.
import type { StoreSnapshot } from './snapshot.js';
import type { CertStore } from './store.js';

export function storeReadiness(store: CertStore, snapshot: StoreSnapshot): string {
  const c = store.connection();
  const n = `${snapshot.size} certificates`;
  if (store.kind === 'sqlite') return `open, ${n}`;
  if (c.connected) return `open, connected to ${store.describe()}, ${n} (seq ${snapshot.seq})`;
  const since = c.since ? ` since ${c.since.toISOString()}` : '';
  return `disconnected, serving snapshot of ${n}${since} (seq ${snapshot.seq}); ${c.detail}`;
}

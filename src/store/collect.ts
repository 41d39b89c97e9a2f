// Store gauges, read at scrape time (never kept current on the hot path).
import type { Metrics } from '../obs/metrics.js';
import { PgStore } from './pg-store.js';
import type { StoreSnapshot } from './snapshot.js';
import type { CertStore } from './store.js';

export function collectStoreMetrics(m: Metrics, store: CertStore, snapshot: StoreSnapshot, now: Date): void {
  const c = store.connection();
  m.storeConnected.set(c.connected ? 1 : 0);
  m.storeDisconnectedSeconds.set(c.connected || !c.since ? 0 : Math.max(0, (now.getTime() - c.since.getTime()) / 1000));
  m.storeSeq.set(snapshot.seq);
  if (store instanceof PgStore) {
    const p = store.poolStats();
    m.storePool.set({ state: 'total' }, p.total);
    m.storePool.set({ state: 'idle' }, p.idle);
    m.storePool.set({ state: 'waiting' }, p.waiting);
  }
}

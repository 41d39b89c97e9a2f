// Builds the configured store: SQLite for `store.path`, PostgreSQL for `store.url`.
import type { StoreConfig } from '../config/store-config.js';
import { PgStore } from './pg-store.js';
import { SqliteCertStore } from './sqlite-adapter.js';
import type { CertStore, StoreEvent } from './store.js';

export interface OpenStoreOptions {
  /** A gateway follows changes made elsewhere (PostgreSQL: LISTEN); the CLI does not. */
  follow: boolean;
  now?: () => Date;
  onEvent?: (e: StoreEvent) => void;
}

/** Creates the store; SQLite opens (and may throw) here, PostgreSQL connects in connect(). */
export function createCertStore(cfg: StoreConfig, opts: OpenStoreOptions): CertStore {
  if (cfg.kind === 'sqlite') return SqliteCertStore.open(cfg.path, opts.now?.());
  return new PgStore({ url: cfg.url, password: cfg.password, follow: opts.follow, now: opts.now, onEvent: opts.onEvent });
}

/** Creates and connects; a store that cannot be opened is closed again and the error thrown. */
export async function openCertStore(cfg: StoreConfig, opts: OpenStoreOptions): Promise<CertStore> {
  const store = createCertStore(cfg, opts);
  try {
    await store.connect();
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return store;
}

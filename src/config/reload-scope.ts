// Which settings SIGHUP applies and which need a restart. Gateway.reload applies clients and
// secrets, the TLS certificate, key, versions, session lifetime and ticket key file, trust anchors,
// realms, revocation, policy, session limits, disconnect, the OCSP responder, the HTTP bearer
// tokens (read per request) and the log level.
// The settings below are read once at start (sockets, threads, tables sized at start, stores):
// a changed value is reported instead of being dropped without a word.
import type { Config } from './load.js';

export const RESTART_ONLY = [
  'radius.listen',
  'radius.accountingListen',
  'radius.duplicateCacheSeconds',
  'radius.maxPendingRequests',
  'pacing',
  'tls.ticketKeyRotationSeconds',
  'tls.workers',
  'tls.placement',
  'eap',
  'identity.cuiKey',
  'proxy',
  'accounting',
  'fticks',
  'sessions.file',
  'sessions.classKey',
  'store',
  'http.listen',
  'http.tls',
] as const;

function at(config: Config, path: string): unknown {
  let v: unknown = config;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** The restart-only keys whose value differs between the running and the reloaded config (names only: values may be secrets). */
export function restartOnlyChanges(running: Config, next: Config): string[] {
  return RESTART_ONLY.filter((p) => JSON.stringify(at(running, p)) !== JSON.stringify(at(next, p)));
}

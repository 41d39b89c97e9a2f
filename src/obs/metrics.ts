import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric certgate exports, on one registry per gateway (tests run several in a process).
 * Labels are bounded: codes, client names from the config, reason enums; never a user, serial or MAC.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    radiusRequests: new Counter({ name: 'certgate_radius_requests_total', help: 'RADIUS requests accepted for processing, by code and client', labelNames: ['code', 'client'] as const, registers: [registry] }),
    radiusDropped: new Counter({ name: 'certgate_radius_dropped_total', help: 'RADIUS datagrams dropped without an answer, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    radiusReplies: new Counter({ name: 'certgate_radius_replies_total', help: 'RADIUS replies sent, by code', labelNames: ['code'] as const, registers: [registry] }),
    decisions: new Counter({ name: 'certgate_auth_decisions_total', help: 'Login decisions, by result and reason', labelNames: ['result', 'reason'] as const, registers: [registry] }),
    authDuration: new Histogram({ name: 'certgate_auth_duration_seconds', help: 'First packet of a conversation to the final answer', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    eapSessions: new Gauge({ name: 'certgate_eap_sessions_active', help: 'EAP conversations in the table', registers: [registry] }),
    eapRounds: new Histogram({ name: 'certgate_eap_rounds', help: 'EAP round trips per finished conversation', buckets: [2, 4, 6, 8, 10, 15, 20, 30, 50], registers: [registry] }),
    eapEvictions: new Counter({ name: 'certgate_eap_sessions_evicted_total', help: 'Conversations dropped: a limit reached (limit_total, limit_client, limit_station) or idle (expired)', labelNames: ['why'] as const, registers: [registry] }),
    duplicateCache: new Gauge({ name: 'certgate_radius_duplicate_cache_entries', help: 'Entries in the RFC 5080 duplicate cache', registers: [registry] }),
    storeCertificates: new Gauge({ name: 'certgate_store_certificates', help: 'Certificates in the issued-certificate store, by status', labelNames: ['status'] as const, registers: [registry] }),
    pacingActive: new Gauge({ name: 'certgate_pacing_active', help: 'Calling-Station-Ids whose rejects are delayed or whose logins are refused now', registers: [registry] }),
    pacingTracked: new Gauge({ name: 'certgate_pacing_stations', help: 'Calling-Station-Ids in the failed-login pacing table (bounded by pacing.maxStations)', registers: [registry] }),
    pacingRefusals: new Counter({ name: 'certgate_pacing_refusals_total', help: 'New logins refused by failed-login pacing (decision reason paced)', registers: [registry] }),
    pacingDelayed: new Counter({ name: 'certgate_pacing_delayed_total', help: 'Access-Rejects held back by failed-login pacing, and those sent at once because pacing.maxDelayed were held (overflow)', labelNames: ['how'] as const, registers: [registry] }),
    chainCache: new Gauge({ name: 'certgate_chain_cache_entries', help: 'Parsed certificates and verified chains held in memory', labelNames: ['kind'] as const, registers: [registry] }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Runs `fn` before every scrape: gauges that mirror table sizes are read then, not kept current on the hot path. */
export function onScrape(registry: Registry, fn: () => void): void {
  const original = registry.metrics.bind(registry);
  registry.metrics = async () => {
    fn();
    return original();
  };
}

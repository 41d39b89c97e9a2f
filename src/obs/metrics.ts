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
    eapEvictions: new Counter({ name: 'certgate_eap_sessions_evicted_total', help: 'Conversations dropped: a limit reached (limit_total, limit_client, limit_station, limit_handshakes) or idle (expired)', labelNames: ['why'] as const, registers: [registry] }),
    duplicateCache: new Gauge({ name: 'certgate_radius_duplicate_cache_entries', help: 'Entries in the RFC 5080 duplicate cache', registers: [registry] }),
    storeCertificates: new Gauge({ name: 'certgate_store_certificates', help: 'Certificates in the issued-certificate store, by status', labelNames: ['status'] as const, registers: [registry] }),
    storeConnected: new Gauge({ name: 'certgate_store_connected', help: 'Whether the store is reachable (1), or lost (0) and logins are served from the in-memory snapshot', registers: [registry] }),
    storeDisconnectedSeconds: new Gauge({ name: 'certgate_store_disconnected_seconds', help: 'Seconds since the store connection was lost (0 while connected): how old the snapshot may be', registers: [registry] }),
    storeSeq: new Gauge({ name: 'certgate_store_seq', help: 'Store change sequence number the in-memory snapshot has applied', registers: [registry] }),
    storeReconnects: new Counter({ name: 'certgate_store_reconnects_total', help: 'Store connections re-established after a loss (each followed by a resync)', registers: [registry] }),
    storePool: new Gauge({ name: 'certgate_store_pool_connections', help: 'PostgreSQL query connections by state (total, idle, waiting); bounded by the pool size', labelNames: ['state'] as const, registers: [registry] }),
    verifyDecisions: new Counter({ name: 'certgate_verify_decisions_total', help: 'POST /v1/verify decisions, by result and reason', labelNames: ['result', 'reason'] as const, registers: [registry] }),
    ocspResponses: new Counter({ name: 'certgate_ocsp_responses_total', help: 'OCSP responder answers, by HTTP method and status (good, revoked, unknown, or the error status)', labelNames: ['method', 'status'] as const, registers: [registry] }),
    ocspSignatures: new Counter({ name: 'certgate_ocsp_signatures_total', help: 'OCSP responses signed, by why (nonce: never reused; fresh: none cached, stale or status changed)', labelNames: ['why'] as const, registers: [registry] }),
    ocspCache: new Gauge({ name: 'certgate_ocsp_cache_entries', help: 'Signed OCSP responses kept for reuse (bounded)', registers: [registry] }),
    eapHandshakes: new Gauge({ name: 'certgate_eap_handshakes_active', help: 'EAP conversations holding TLS state (bounded by eap.maxHandshakes)', registers: [registry] }),
    tlsInlineShare: new Gauge({ name: 'certgate_tls_inline_share', help: 'Share of new TLS handshakes run on the main thread (tls.placement adaptive: lower as the main thread gets busy)', registers: [registry] }),
    tlsSessionIds: new Gauge({ name: 'certgate_tls_session_ids', help: 'TLS 1.2 session IDs that can be resumed, on any thread (bounded: 20,000 per thread cache and in the routing table)', registers: [registry] }),
    tlsHandshakes: new Counter({ name: 'certgate_tls_handshakes_total', help: 'TLS handshakes started, by thread (main or worker)', labelNames: ['thread'] as const, registers: [registry] }),
    tlsServers: new Counter({
      name: 'certgate_tls_server_handshakes_total',
      help: "TLS handshakes started, by the server that ran them (certgate: certgate's TLS 1.3 server; openssl: node:tls) and why (tls13, or why OpenSSL took it: not_tls13, pq_group, no_key_share, early_data, openssl_ticket, configured, ...)",
      labelNames: ['server', 'why'] as const,
      registers: [registry],
    }),
    tlsClientKeys: new Gauge({ name: 'certgate_tls_client_keys_cached', help: "Client certificate public keys cached by the main thread's TLS 1.3 server (bounded: 10,000 per thread)", registers: [registry] }),
    pacingActive: new Gauge({ name: 'certgate_pacing_active', help: 'Calling-Station-Ids whose rejects are delayed or whose logins are refused now', registers: [registry] }),
    pacingTracked: new Gauge({ name: 'certgate_pacing_stations', help: 'Calling-Station-Ids in the failed-login pacing table (bounded by pacing.maxStations)', registers: [registry] }),
    pacingRefusals: new Counter({ name: 'certgate_pacing_refusals_total', help: 'New logins refused by failed-login pacing (decision reason paced)', registers: [registry] }),
    pacingDelayed: new Counter({ name: 'certgate_pacing_delayed_total', help: 'Access-Rejects held back by failed-login pacing, and those sent at once because pacing.maxDelayed were held (overflow)', labelNames: ['how'] as const, registers: [registry] }),
    chainCache: new Gauge({ name: 'certgate_chain_cache_entries', help: 'Parsed certificates and verified chains held in memory', labelNames: ['kind'] as const, registers: [registry] }),
    proxyRequests: new Counter({ name: 'certgate_proxy_requests_total', help: 'Requests proxied upstream, by realm route, server and result (accept, reject, challenge, timeout, busy, overload, ...)', labelNames: ['realm_route', 'server', 'result'] as const, registers: [registry] }),
    proxyOutstanding: new Gauge({ name: 'certgate_proxy_outstanding', help: 'Requests waiting for an upstream answer', registers: [registry] }),
    proxyServerUp: new Gauge({ name: 'certgate_proxy_server_up', help: 'Upstream server liveness (1 up, 0 dead and probed)', labelNames: ['server'] as const, registers: [registry] }),
    proxyUpstreamDropped: new Counter({ name: 'certgate_proxy_upstream_dropped_total', help: 'Upstream answers dropped, by server and reason', labelNames: ['server', 'reason'] as const, registers: [registry] }),
    proxyConversations: new Gauge({ name: 'certgate_proxy_conversations', help: 'Proxied conversations remembered by State', registers: [registry] }),
    proxyConversationEvictions: new Counter({ name: 'certgate_proxy_conversations_evicted_total', help: 'Proxied conversations forgotten: limit reached (evicted) or idle (expired)', labelNames: ['why'] as const, registers: [registry] }),
    accountingRequests: new Counter({ name: 'certgate_accounting_requests_total', help: 'Accounting-Requests recorded and answered, by Acct-Status-Type', labelNames: ['status_type'] as const, registers: [registry] }),
    accountingFailures: new Counter({ name: 'certgate_accounting_failures_total', help: 'Accounting-Requests left unanswered because the record could not be written', registers: [registry] }),
    cuiIssued: new Counter({ name: 'certgate_cui_issued_total', help: 'Access-Accepts that carried a Chargeable-User-Identity', registers: [registry] }),
    revocation: createRevocationMetrics(registry),
    sessions: createSessionMetrics(registry),
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

/** Live sessions and RFC 5176 Disconnect (docs/policy-and-sessions.md). */
export function createSessionMetrics(registry: Registry) {
  return {
    active: new Gauge({ name: 'certgate_sessions_active', help: 'Live sessions known from accounting (bounded by sessions.maxSessions)', registers: [registry] }),
    ended: new Counter({ name: 'certgate_sessions_ended_total', help: 'Live sessions removed, by why (stopped, expired, evicted, nas_restarted, disconnected, gone_on_nas)', labelNames: ['why'] as const, registers: [registry] }),
    ignored: new Counter({ name: 'certgate_sessions_ignored_total', help: 'Accounting records not tied to a live session, by why', labelNames: ['why'] as const, registers: [registry] }),
    disconnects: new Counter({ name: 'certgate_disconnects_total', help: 'Disconnect-Requests (RFC 5176) by trigger (revoked, superseded, revoked_crl, revoked_ocsp, not_in_force, admin) and outcome (ack, nak, no_answer, error, no_coa_port)', labelNames: ['trigger', 'outcome'] as const, registers: [registry] }),
    disconnectsOutstanding: new Gauge({ name: 'certgate_disconnects_outstanding', help: 'Disconnect-Requests waiting for an answer (bounded by disconnect.maxPending)', registers: [registry] }),
    policyMatches: new Counter({ name: 'certgate_policy_matches_total', help: 'Accepted logins by the policy rule that matched (index, or "none")', labelNames: ['rule'] as const, registers: [registry] }),
  };
}

/**
 * Revocation (CRLs, OCSP client, answer cache; docs/revocation.md). The `issuer` label is a CA's
 * subject CN from the configured CRLs, so it is bounded by the config.
 */
export function createRevocationMetrics(registry: Registry) {
  return {
    checks: new Counter({ name: 'certgate_revocation_checks_total', help: 'Revocation checks of one certificate (leaf or intermediate), by the source that answered (crl, ocsp, none) and what it said (good, revoked, unknown, unavailable, stale, not_covered)', labelNames: ['source', 'result'] as const, registers: [registry] }),
    cacheHits: new Counter({ name: 'certgate_revocation_cache_hits_total', help: 'Revocation checks answered from the in-memory answer cache', registers: [registry] }),
    cacheMisses: new Counter({ name: 'certgate_revocation_cache_misses_total', help: 'Revocation checks that had to ask the OCSP responder', registers: [registry] }),
    cacheSize: new Gauge({ name: 'certgate_revocation_cache_entries', help: 'OCSP answers in the revocation cache (bounded by revocation.cacheSize)', registers: [registry] }),
    softFails: new Counter({ name: 'certgate_revocation_soft_fail_total', help: 'Certificates passed although revocation could not be checked (stale CRL with crlPolicy.softFail, responder down with ocsp.softFail)', labelNames: ['source'] as const, registers: [registry] }),
    ocspDuration: new Histogram({ name: 'certgate_ocsp_request_duration_seconds', help: 'OCSP client requests to a responder, by result (answer, error_status, invalid, http_error, network)', labelNames: ['result'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5], registers: [registry] }),
    crlNextUpdate: new Gauge({ name: 'certgate_crl_next_update_timestamp_seconds', help: 'nextUpdate of the CRL in force, by issuing CA (subject CN)', labelNames: ['issuer'] as const, registers: [registry] }),
    crlNumber: new Gauge({ name: 'certgate_crl_number', help: 'CRL Number of the CRL in force, by issuing CA (subject CN)', labelNames: ['issuer'] as const, registers: [registry] }),
    crlLoads: new Counter({ name: 'certgate_crl_loads_total', help: 'CRL loads by configured source and outcome (installed, unchanged, refused, failed)', labelNames: ['source', 'outcome'] as const, registers: [registry] }),
    crlLoadFailures: new Counter({ name: 'certgate_crl_load_failures_total', help: 'CRLs not taken (unreadable, unparseable, bad signature, older than the one in force, fetch failed), by configured source; the CRL in force stays', labelNames: ['source'] as const, registers: [registry] }),
  };
}

export type RevocationMetrics = ReturnType<typeof createRevocationMetrics>;

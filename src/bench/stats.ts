// Counters and latency figures of one `certgate bench` run: plain data, no I/O, so the summary a
// person reads and the JSON line a harness parses are computed from the same numbers.

export interface Counters {
  /** Logins started (first Access-Request sent). */
  sent: number;
  accepted: number;
  rejected: number;
  /** Logins lost: a request got no valid answer after every retransmission. */
  timeouts: number;
  /** Logins that ended for a client-side reason (TLS failure, protocol violation by the server). */
  errors: number;
  /** Accepted logins whose TLS session was resumed. */
  resumed: number;
  /** Accepted logins whose MS-MPPE keys were missing or differed from the client's own MSK. */
  mppeMismatches: number;
  /** Logins that stopped after the first Access-Challenge on purpose (--identity-only). */
  abandoned: number;
  tls12: number;
  tls13: number;
  /** RADIUS round trips of finished logins, summed (for the average). */
  rounds: number;
}

export const newCounters = (): Counters => ({
  sent: 0,
  accepted: 0,
  rejected: 0,
  timeouts: 0,
  errors: 0,
  resumed: 0,
  mppeMismatches: 0,
  abandoned: 0,
  tls12: 0,
  tls13: 0,
  rounds: 0,
});

/** Nearest-rank percentile of an ascending array; 0 for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Latencies of finished logins in milliseconds. Kept whole: a run of minutes holds ~10^5 numbers. */
export class Latencies {
  private readonly values: number[] = [];

  add(ms: number): void {
    this.values.push(ms);
  }

  get count(): number {
    return this.values.length;
  }

  summary(): { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
    const s = [...this.values].sort((a, b) => a - b);
    const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
    return { p50Ms: round(percentile(s, 50)), p95Ms: round(percentile(s, 95)), p99Ms: round(percentile(s, 99)), maxMs: round(s.at(-1) ?? 0), meanMs: round(mean) };
  }
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const round = (x: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export interface RadiusCounters {
  requests: number;
  retransmits: number;
  /** Replies dropped: wrong Response Authenticator or Message-Authenticator, unknown identifier. */
  badReplies: number;
}

export interface BenchResult extends Counters, RadiusCounters {
  server: string;
  tls: string;
  concurrency: number;
  durationS: number;
  authsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  roundsPerLogin: number;
  /** The load generator's own CPU (user+system) over the run. */
  clientCpuMs: number;
  clientCpuMsPerLogin: number;
  /** Logins run before the measured ones (--warm-up), in none of the figures above. */
  warmUp?: number;
}

export function buildResult(a: {
  server: string;
  tls: string;
  concurrency: number;
  elapsedMs: number;
  counters: Counters;
  radius: RadiusCounters;
  latencies: Latencies;
  clientCpuMs: number;
}): BenchResult {
  const c = a.counters;
  const finished = c.accepted + c.rejected;
  const durationS = a.elapsedMs / 1000;
  return {
    server: a.server,
    tls: a.tls,
    concurrency: a.concurrency,
    ...c,
    ...a.radius,
    durationS: round(durationS, 3),
    authsPerSecond: round(durationS > 0 ? c.accepted / durationS : 0, 1),
    ...a.latencies.summary(),
    roundsPerLogin: round(finished ? c.rounds / finished : 0),
    clientCpuMs: Math.round(a.clientCpuMs),
    clientCpuMsPerLogin: round(c.sent ? a.clientCpuMs / c.sent : 0, 3),
  };
}

/** The human summary printed at the end of a run. */
export function formatSummary(r: BenchResult): string {
  const lines = [
    `certgate bench: ${r.server}, TLS ${r.tls}, concurrency ${r.concurrency}, ${r.durationS} s`,
    `  logins    sent ${r.sent}  accepted ${r.accepted}  rejected ${r.rejected}  timeouts ${r.timeouts}  errors ${r.errors}` +
      (r.abandoned ? `  abandoned ${r.abandoned}` : ''),
    `  rate      ${r.authsPerSecond} accepted logins/s`,
    `  latency   p50 ${r.p50Ms} ms  p95 ${r.p95Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms`,
    `  tls       1.3: ${r.tls13}  1.2: ${r.tls12}  resumed ${r.resumed}  MPPE mismatches ${r.mppeMismatches}`,
    `  radius    requests ${r.requests}  retransmits ${r.retransmits}  bad replies ${r.badReplies}  rounds/login ${r.roundsPerLogin}`,
    `  client    CPU ${r.clientCpuMs} ms (${r.clientCpuMsPerLogin} ms/login)`,
  ];
  return lines.join('\n');
}

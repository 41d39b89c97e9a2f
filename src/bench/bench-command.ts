// `certgate bench`: a load generator for EAP-TLS over RADIUS (what radperf is for FreeRADIUS).
// Many logins run at once in one process, each a real TLS handshake with the client certificate;
// progress goes to stderr, the summary to stdout, and with --json the last stdout line is one
// JSON object a harness can parse.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type ClientTls, type PeerSession, type Tls13ClientChoice, type TlsChoice, makeClientTls } from './eap-tls-client.js';
import { type LoginSetup, login } from './login.js';
import { RadiusClient } from './radius-client.js';
import { type BenchResult, Latencies, buildResult, formatSummary, newCounters } from './stats.js';

export const BENCH_USAGE = `usage: certgate bench --server HOST:PORT --secret S --ca CA.pem --cert C.pem --key C.key
                      [--identity NAME] [--concurrency N] (--duration SECONDS | --count N)
                      [--tls 1.2|1.3] [--resume] [--json]
  --identity NAME       outer EAP identity (default: the certificate's e-mail address)
  --concurrency N       logins in flight at once, each in its own slot (default 16)
  --duration SECONDS    start logins for this long, then wait for those in flight
  --count N             run exactly N logins
  --tls 1.2|1.3         force a TLS version (default: offer both)
  --resume              offer each slot's previous TLS session (1.2 session/ticket, 1.3 ticket)
  --json                end stdout with one JSON line of results
more:
  --rate N              start at most N logins per second (default: as fast as answers come)
  --timeout MS          retransmit an unanswered request after MS (default 3000)
  --retries N           retransmissions before a login counts as a timeout (default 3)
  --tls-client certgate|openssl
                        who runs the client side of --tls 1.3 (default certgate: its own
                        client, which costs the load generator less CPU; openssl: node:tls,
                        which always runs TLS 1.2 and the default, both versions offered)
  --fragment-size N     EAP-TLS fragment size of the client (default 1024)
  --framed-mtu N        Framed-MTU sent to the server (default 1400)
  --warm-up N           first run N logins (same rate and concurrency) that no figure counts:
                        a fresh load generator's code is not optimised yet, and its first
                        second would measure its own start-up as the server's latency
  --identity-only       send only the EAP Identity and abandon each conversation after the
                        server's first challenge (memory held per pending conversation)
  --quiet               no progress lines
exit codes: 0 logins accepted with correct MPPE keys, 1 none accepted or a key mismatch/error, 2 usage`;

class UsageError extends Error {}

export interface BenchOptions {
  host: string;
  port: number;
  secret: Buffer;
  /** --ca, --cert and --key, parsed (a bad file is a usage error, before any socket opens). */
  client: ClientTls;
  identity: string;
  concurrency: number;
  durationS: number | undefined;
  count: number | undefined;
  tls: TlsChoice;
  resume: boolean;
  json: boolean;
  rate: number | undefined;
  timeoutMs: number;
  retries: number;
  fragmentSize: number;
  framedMtu: number;
  identityOnly: boolean;
  /** Logins run first and left out of every figure. */
  warmUp: number;
  quiet: boolean;
}

function positiveInt(name: string, v: string | undefined, dflt: number | undefined, max = 1_000_000): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

function readFile(name: string, path: string | undefined): Buffer {
  if (path === undefined) throw new UsageError(`--${name} FILE is required`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`--${name}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** HOST:PORT or [IPv6]:PORT. */
export function parseServer(s: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) throw new UsageError(`--server must be HOST:PORT or [IPv6]:PORT, got ${JSON.stringify(s)}`);
  const host = m[1] === 'localhost' ? '127.0.0.1' : m[1]!;
  return { host, port };
}

/** The first rfc822Name of the certificate, else its CN: what a supplicant would use as identity. */
function defaultIdentity(certPem: Buffer): string {
  const c = new X509Certificate(certPem);
  const email = /email:([^,\s]+)/.exec(c.subjectAltName ?? '')?.[1];
  return email ?? /CN=([^\n]+)/.exec(c.subject)?.[1] ?? 'certgate-bench';
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        server: { type: 'string' },
        secret: { type: 'string' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        identity: { type: 'string' },
        concurrency: { type: 'string' },
        duration: { type: 'string' },
        count: { type: 'string' },
        tls: { type: 'string' },
        'tls-client': { type: 'string' },
        resume: { type: 'boolean' },
        json: { type: 'boolean' },
        rate: { type: 'string' },
        timeout: { type: 'string' },
        retries: { type: 'string' },
        'fragment-size': { type: 'string' },
        'framed-mtu': { type: 'string' },
        'identity-only': { type: 'boolean' },
        'warm-up': { type: 'string' },
        quiet: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.server === undefined) throw new UsageError('--server HOST:PORT is required');
  if (v.secret === undefined || v.secret === '') throw new UsageError('--secret S is required');
  const { host, port } = parseServer(v.server);
  if (isIP(host) === 0) throw new UsageError(`--server host must be an IP address (or localhost), got ${JSON.stringify(host)}`);
  if ((v.duration === undefined) === (v.count === undefined)) throw new UsageError('give exactly one of --duration SECONDS and --count N');
  let durationS: number | undefined;
  if (v.duration !== undefined) {
    durationS = Number(v.duration);
    if (!(durationS > 0 && durationS <= 86_400)) throw new UsageError(`--duration must be a number of seconds above 0, got ${JSON.stringify(v.duration)}`);
  }
  if (v.tls !== undefined && v.tls !== '1.2' && v.tls !== '1.3') throw new UsageError(`--tls must be 1.2 or 1.3, got ${JSON.stringify(v.tls)}`);
  let rate: number | undefined;
  if (v.rate !== undefined) {
    rate = Number(v.rate);
    if (!(rate > 0)) throw new UsageError(`--rate must be a number of logins per second above 0, got ${JSON.stringify(v.rate)}`);
  }
  const cert = readFile('cert', v.cert);
  const tls = (v.tls as TlsChoice | undefined) ?? 'any';
  const tlsClient = v['tls-client'] ?? 'certgate';
  if (tlsClient !== 'certgate' && tlsClient !== 'openssl') throw new UsageError(`--tls-client must be certgate or openssl, got ${JSON.stringify(tlsClient)}`);
  let client: ClientTls;
  try {
    client = makeClientTls({ ca: readFile('ca', v.ca), cert, key: readFile('key', v.key), tls, tls13Client: tlsClient as Tls13ClientChoice });
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
  return {
    host,
    port,
    secret: Buffer.from(v.secret, 'utf8'),
    client,
    identity: v.identity ?? defaultIdentity(cert),
    concurrency: positiveInt('concurrency', v.concurrency, 16, 4096)!,
    durationS,
    count: positiveInt('count', v.count, undefined, 100_000_000),
    tls,
    resume: v.resume === true,
    json: v.json === true,
    rate,
    timeoutMs: positiveInt('timeout', v.timeout, 3000, 600_000)!,
    retries: v.retries === '0' ? 0 : positiveInt('retries', v.retries, 3, 100)!,
    fragmentSize: positiveInt('fragment-size', v['fragment-size'], 1024, 4000)!,
    framedMtu: positiveInt('framed-mtu', v['framed-mtu'], 1400, 65_535)!,
    identityOnly: v['identity-only'] === true,
    warmUp: v['warm-up'] === '0' ? 0 : (positiveInt('warm-up', v['warm-up'], 0, 1_000_000) ?? 0),
    quiet: v.quiet === true,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs the load described by `o` and returns the figures; progress lines go to `progress`. */
export async function runBench(o: BenchOptions, progress: (line: string) => void): Promise<BenchResult> {
  const radius = new RadiusClient({ host: o.host, port: o.port, secret: o.secret, timeoutMs: o.timeoutMs, retries: o.retries, maxOutstanding: o.concurrency });
  await radius.open();
  const setup: LoginSetup = {
    radius,
    secret: o.secret,
    tls: o.client,
    identity: o.identity,
    fragmentSize: o.fragmentSize,
    framedMtu: o.framedMtu,
  };
  const counters = newCounters();
  const latencies = new Latencies();
  const reasons = new Map<string, number>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = o.durationS === undefined ? Infinity : t0 + o.durationS * 1000;
  let started = 0;
  const more = () => (o.count !== undefined ? started < o.count : performance.now() < deadline);
  let nextStart = t0;
  const interval = o.rate ? 1000 / o.rate : 0;

  const slot = async (i: number) => {
    let session: PeerSession | undefined;
    while (more()) {
      started++;
      if (interval) {
        const at = nextStart;
        nextStart += interval;
        const wait = at - performance.now();
        if (wait > 0) await sleep(wait);
      }
      counters.sent++;
      const t = performance.now();
      // Abandoned conversations come from distinct stations (a server may cap them per station).
      const station = o.identityOnly ? o.concurrency + counters.sent : i;
      const r = await login(setup, i, station, o.resume ? session : undefined, o.identityOnly);
      const ms = performance.now() - t;
      counters.rounds += r.rounds;
      // A resumed TLS 1.2 session brings no new session (and a TLS 1.3 server may send no new
      // ticket): keep offering the one that worked, as a supplicant does.
      const previous = r.kind === 'accept' && r.resumed ? session : undefined;
      session = undefined;
      switch (r.kind) {
        case 'accept':
          counters.accepted++;
          latencies.add(ms);
          if (r.resumed) counters.resumed++;
          if (!r.mppeOk) counters.mppeMismatches++;
          if (r.version === 'TLSv1.3') counters.tls13++;
          else if (r.version === 'TLSv1.2') counters.tls12++;
          session = r.session ?? previous;
          break;
        case 'reject':
          counters.rejected++;
          latencies.add(ms);
          break;
        case 'timeout':
          counters.timeouts++;
          break;
        case 'abandoned':
          counters.abandoned++;
          break;
        case 'error':
          counters.errors++;
          reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
          break;
      }
    }
  };

  let last = { t: t0, accepted: 0 };
  const ticker = o.quiet
    ? undefined
    : setInterval(() => {
        const now = performance.now();
        const rate = ((counters.accepted - last.accepted) * 1000) / (now - last.t);
        last = { t: now, accepted: counters.accepted };
        const inflight = counters.sent - counters.accepted - counters.rejected - counters.timeouts - counters.errors - counters.abandoned;
        progress(
          `[bench] ${((now - t0) / 1000).toFixed(1)}s sent ${counters.sent} accepted ${counters.accepted} rejected ${counters.rejected} ` +
            `timeouts ${counters.timeouts} errors ${counters.errors} in flight ${inflight} resumed ${counters.resumed} ` +
            `${rate.toFixed(0)}/s (retransmits ${radius.counters.retransmits})`,
        );
      }, 1000);
  try {
    await Promise.all(Array.from({ length: o.concurrency }, (_, i) => slot(i)));
  } finally {
    if (ticker) clearInterval(ticker);
    await radius.close();
  }
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  for (const [reason, n] of reasons) progress(`[bench] error x${n}: ${reason}`);
  return buildResult({
    server: `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`,
    tls: o.tls,
    concurrency: o.concurrency,
    elapsedMs,
    counters,
    radius: radius.counters,
    latencies,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  });
}

/** The CLI entry: returns the exit code. */
export async function benchCommand(argv: string[]): Promise<number> {
  let o: BenchOptions;
  try {
    o = parseBenchArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`certgate bench: ${e.message}\n\n${BENCH_USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (o.warmUp > 0) await runBench({ ...o, count: o.warmUp, durationS: undefined, warmUp: 0, quiet: true }, () => undefined);
  const r = await runBench(o, (l) => process.stderr.write(`${l}\n`));
  process.stdout.write(`${formatSummary(r)}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify({ ...r, warmUp: o.warmUp } satisfies BenchResult)}\n`);
  if (o.identityOnly) return r.abandoned > 0 && r.errors === 0 ? 0 : 1;
  return r.accepted > 0 && r.mppeMismatches === 0 && r.errors === 0 ? 0 : 1;
}

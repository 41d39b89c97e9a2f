// Runs the BUILT gateway (bin/certgate.js → dist/) as a child process, the way an operator does,
// and collects its JSON log lines so tests can read the decisions it logged.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'certgate.js');
export const OPENSSL_CNF = join(ROOT, 'config', 'openssl.cnf');

export interface LogLine {
  msg: string;
  [k: string]: unknown;
}

export interface GatewayProcess {
  child: ChildProcess;
  configPath: string;
  dir: string;
  /** Bound RADIUS port on 127.0.0.1 (the config listens on port 0). */
  port: number;
  httpPort: number | undefined;
  lines: LogLine[];
  /** Waits for a log line matching `pred` that arrives after `since` (an index into lines). */
  waitFor(pred: (l: LogLine) => boolean, since?: number, timeoutMs?: number): Promise<LogLine>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

export function writeConfig(dir: string, yaml: string): string {
  const p = join(dir, 'certgate.yaml');
  writeFileSync(p, yaml);
  return p;
}

export function tempDir(prefix = 'certgate-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], { env: opts.env ?? process.env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** `opensslConfig: false` starts node without config/openssl.cnf (to show what it changes). */
export async function startGateway(configPath: string, dir: string, opts: { opensslConfig?: boolean } = {}): Promise<GatewayProcess> {
  // As npm start and the Dockerfile run it: with the shipped OpenSSL settings (one TLS 1.3 ticket)
  // and the capped young generation.
  const nodeArgs = [...(opts.opensslConfig === false ? [] : [`--openssl-config=${OPENSSL_CNF}`]), '--max-semi-space-size=16'];
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const waiters: { pred: (l: LogLine) => boolean; since: number; resolve: (l: LogLine) => void }[] = [];
  let buf = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const l = JSON.parse(text) as LogLine;
        lines.push(l);
        for (const w of [...waiters]) {
          if (lines.length - 1 >= w.since && w.pred(l)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(l);
          }
        }
      } catch {
        // not a JSON line; ignore
      }
    }
  });
  const waitFor = (pred: (l: LogLine) => boolean, since = 0, timeoutMs = 10_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const found = lines.slice(since).find(pred);
      if (found) return resolve(found);
      const t = setTimeout(() => reject(new Error(`timed out waiting for a log line; stderr: ${stderr}`)), timeoutMs);
      waiters.push({ pred, since, resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await Promise.race([
    waitFor((l) => l.msg === 'certgate ready', 0, 15_000),
    exited.then((code) => {
      throw new Error(`gateway exited with ${code} before it was ready: ${stderr}`);
    }),
  ]);
  const radius = (ready.radius as string[]).find((a) => a.startsWith('127.0.0.1:'))!;
  const http = ready.http as string | undefined;
  return {
    child,
    configPath,
    dir,
    port: Number(radius.split(':')[1]),
    httpPort: http ? Number(http.split(':').pop()) : undefined,
    lines,
    waitFor,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
    cli: (...args: string[]) => runCli([args[0]!, '--config', configPath, ...args.slice(1)]),
  };
}

/** Parts of gatewayYaml a suite may replace; each is the section's lines, indented by two spaces. */
export interface GatewayYamlParts {
  /** The radius: section (default: loopback on a free port, client lo with secret testing123). */
  radius?: string;
  /** Lines added to the tls: section (workers, placement…). */
  tls?: string;
  /** The store: section (default: a SQLite file next to the config). */
  store?: string;
}

/**
 * The smallest gateway config the interop tests share: loopback RADIUS on a free port, the test
 * PKI, realm jaist.ac.jp, a SQLite store in the config's folder. `extra` is appended YAML (top-level
 * sections such as http:, revocation:, ocspResponder:); `parts` replaces or extends sections.
 */
export function gatewayYaml(pki: { serverCert: string; serverKey: string; caCert: string }, extra = '', parts: GatewayYamlParts = {}): string {
  const radius = parts.radius ?? `  listen: ["127.0.0.1:0"]
  clients:
    - { name: lo, network: 127.0.0.0/8, secret: testing123 }`;
  return `radius:
${radius}
tls:
  certificate: ${pki.serverCert}
  privateKey: ${pki.serverKey}
  trustAnchors: [${pki.caCert}]
${parts.tls ? `${parts.tls}\n` : ''}identity:
  realms: [jaist.ac.jp]
store:
${parts.store ?? '  path: store.db'}
${extra}`;
}

// Revocation benchmark (docs/BENCHMARKS.md, "Revocation"). Not a test: it measures and prints.
//
//   npx tsc -p . && node dist/bench/revocation-bench.js [--quick] [--json]
//
// Needs openssl (demo PKI, a 100,000-entry CRL from `openssl ca -gencrl`, `openssl ocsp` as the
// responder on a free loopback port). It reports:
//   1. loading (parse + signature) a 100,000-entry CRL;
//   2. the revocation step per certificate: answer-cache hit, CRL probe, OCSP miss (a real request);
//   3. Verifier.decide() of a certificate whose OCSP answer is cached, responder up vs. stopped;
//   4. whole EAP-TLS logins (`certgate bench` against the built gateway) of a cached certificate,
//      responder up vs. stopped: the login must not slow down when the responder stops.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { createRevocationMetrics } from '../obs/metrics.js';
import { caInfo } from '../revocation/ca-info.js';
import { CrlSet } from '../revocation/crl-set.js';
import { OcspClient } from '../revocation/ocsp-client.js';
import { RevocationCache } from '../revocation/revocation-cache.js';
import { RevocationChecker } from '../revocation/revocation-checker.js';
import type { RevocationConfig } from '../revocation/types.js';
import { parseCertificates } from '../verify/cert-facts.js';
import { ChainVerifier, parseCert } from '../verify/chain.js';
import { Verifier } from '../verify/decide.js';
import type { CertRecord } from '../store/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const say = (s: string) => process.stderr.write(`${s}\n`);

interface Stat {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}
function stat(samples: number[]): Stat {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  return { n: s.length, p50: at(50), p99: at(99), mean: s.reduce((a, b) => a + b, 0) / s.length, max: s.at(-1)! };
}
const us = (x: Stat) => `p50 ${x.p50.toFixed(2)} µs, p99 ${x.p99.toFixed(2)} µs, mean ${x.mean.toFixed(2)} µs (n=${x.n})`;
const ms = (x: Stat) => `p50 ${x.p50.toFixed(2)} ms, p99 ${x.p99.toFixed(2)} ms, mean ${x.mean.toFixed(2)} ms (n=${x.n})`;

/** Times each call in microseconds. */
async function time(n: number, fn: () => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const r = fn();
    if (r instanceof Promise) await r;
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return out;
}

function openssl(args: string[], env?: NodeJS.ProcessEnv): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function startResponder(caDir: string, pki: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('openssl', ['ocsp', '-index', join(caDir, 'index.txt'), '-port', String(port), '-rsigner', join(pki, 'ocsp-responder.pem'), '-rkey', join(pki, 'ocsp-responder.key'), '-CA', join(caDir, 'ca.pem'), '-nmin', '10'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('waiting for OCSP client connections')) resolve();
    });
    child.once('exit', (c) => reject(new Error(`openssl ocsp exited ${c}: ${err}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))),
  };
}

function config(over: Partial<RevocationConfig['ocsp']> = {}): RevocationConfig {
  return {
    crls: [],
    crlPolicy: { maxStaleSeconds: 0, softFail: false },
    ocsp: { enabled: false, url: undefined, timeoutMs: 2000, softFail: false, maxCacheSeconds: 3600, nonce: false, ...over },
    useCertificateUrls: false,
    cacheSize: 100_000,
  };
}

async function startGateway(configPath: string): Promise<{ child: ChildProcess; port: number; http: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'certgate.js'), 'serve', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = await new Promise<{ radius: string[]; http: string }>((resolve, reject) => {
    let buf = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    let done = false;
    child.stdout!.on('data', (d: Buffer) => {
      if (done) return; // decision lines after start-up are not read
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('"certgate ready"')) {
          done = true;
          resolve(JSON.parse(line) as { radius: string[]; http: string });
        }
      }
    });
    child.once('exit', (c) => reject(new Error(`gateway exited ${c}: ${err}`)));
    setTimeout(() => reject(new Error(`gateway not ready within 20 s: ${err}`)), 20_000).unref();
  });
  const port = Number(ready.radius.find((a) => a.startsWith('127.0.0.1:'))!.split(':')[1]);
  return { child, port, http: Number(ready.http.split(':').pop()), stop: () => new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) };
}

interface LoginRun {
  authsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  accepted: number;
  rejected: number;
}
function benchLogins(port: number, pki: string, count: number): LoginRun {
  const out = execFileSync(process.execPath, [join(ROOT, 'bin', 'certgate.js'), 'bench', '--server', `127.0.0.1:${port}`, '--secret', 'testing123', '--ca', join(pki, 'ca', 'ca.pem'),
    '--cert', join(pki, 'members', 'alice.pem'), '--key', join(pki, 'members', 'alice.key'), '--count', String(count), '--concurrency', '8', '--json', '--quiet'], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as LoginRun;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'certgate-revbench-'));
  const pki = join(dir, 'pki');
  say(`making the demo PKI in ${pki}`);
  execFileSync('bash', [join(ROOT, 'scripts', 'make-pki.sh'), pki], { stdio: 'ignore' });
  const caDir = join(pki, 'ca');
  const der = (f: string) => parseCertificates(readFileSync(f))[0]!;
  const anchor = parseCert(der(join(caDir, 'ca.pem')));
  const alice = parseCert(der(join(pki, 'members', 'alice.pem')));
  const ca = caInfo(anchor.facts.der);
  const results: Record<string, unknown> = { machine: `${cpus()[0]?.model ?? '?'} x${cpus().length}`, node: process.version, date: new Date().toISOString() };

  // 1. A big CRL: 100,000 revoked serials (plus the demo's own), signed by `openssl ca -gencrl`.
  const big = join(dir, 'bigca');
  mkdirSync(big);
  for (const f of ['ca.pem', 'ca.key', 'openssl.cnf', 'crlnumber', 'serial', 'index.txt.attr']) copyFileSync(join(caDir, f), join(big, f));
  mkdirSync(join(big, 'newcerts'));
  const entries = quick ? 20_000 : 100_000;
  const lines: string[] = [];
  for (let i = 0; i < entries; i++) lines.push(`R\t20561117000000Z\t260101000000Z,keyCompromise\t${(0x100000 + i).toString(16).toUpperCase()}\tunknown\t/CN=x${i}`);
  writeFileSync(join(big, 'index.txt'), lines.join('\n') + '\n');
  openssl(['ca', '-batch', '-config', join(big, 'openssl.cnf'), '-gencrl', '-crldays', '30', '-out', join(big, 'big.crl')], { CA_DIR: big });
  const bigCrl = readFileSync(join(big, 'big.crl'));
  const loads: number[] = [];
  let set = new CrlSet([ca]);
  for (let i = 0; i < 5; i++) {
    set = new CrlSet([ca]);
    const t = performance.now();
    const r = set.offer('big', bigCrl, new Date());
    loads.push(performance.now() - t);
    if (r.outcome !== 'installed') throw new Error(`big CRL not installed: ${JSON.stringify(r)}`);
  }
  const loadMs = stat(loads);
  say(`CRL load (parse + verify + index), ${entries} entries, ${(bigCrl.length / 1e6).toFixed(2)} MB PEM: ${ms(loadMs)}`);
  results.crlLoad = { entries, bytes: bigCrl.length, ...loadMs };

  // 2a. CRL probe: the certificate is not on the 100,000-entry CRL (every check walks the step).
  const m = createRevocationMetrics(new Registry());
  const crlChecker = new RevocationChecker({ config: config(), crls: set, cache: new RevocationCache(10), ocsp: undefined, metrics: m, log: undefined });
  const now = new Date();
  await time(20_000, () => crlChecker.check([alice], anchor, now));
  const crlProbe = stat(await time(quick ? 50_000 : 200_000, () => crlChecker.check([alice], anchor, now)));
  say(`revocation step, CRL probe (hash-set, ${entries} entries): ${us(crlProbe)}`);
  results.crlProbe = crlProbe;

  // 2b. OCSP miss: a real request to openssl ocsp on loopback, the cache emptied before each.
  let responder = await startResponder(caDir, pki);
  const cache = new RevocationCache(100_000);
  const client = new OcspClient({ timeoutMs: 2000, nonce: false });
  const ocspChecker = new RevocationChecker({ config: config({ enabled: true, url: responder.url }), crls: new CrlSet([ca]), cache, ocsp: client, metrics: m, log: undefined });
  const missSamples: number[] = [];
  for (let i = 0; i < (quick ? 100 : 400); i++) {
    cache.clear();
    const t = performance.now();
    const r = await ocspChecker.check([alice], anchor, new Date());
    missSamples.push(performance.now() - t);
    if (r.reject || r.facts[0]!.cached) throw new Error(`OCSP miss run went wrong: ${JSON.stringify(r)}`);
  }
  const miss = stat(missSamples.slice(10));
  say(`revocation step, OCSP miss (GET to openssl ocsp on loopback, verify, cache): ${ms(miss)}`);
  results.ocspMiss = miss;

  // 2c. Cache hit: the answer from the last request is in the cache.
  await time(20_000, () => ocspChecker.check([alice], anchor, new Date()));
  const hit = stat(await time(quick ? 50_000 : 200_000, () => ocspChecker.check([alice], anchor, now)));
  say(`revocation step, answer-cache hit: ${us(hit)}`);
  results.cacheHit = hit;

  // 3. The whole decision (chain cached, store lookup, revocation) for a cached certificate.
  const record: CertRecord = {
    issuer: alice.facts.issuer, serial: alice.facts.serial, fingerprint: alice.facts.fingerprint, member: alice.facts.member!, subject: alice.facts.subject,
    notBefore: alice.facts.notBefore, notAfter: alice.facts.notAfter, status: 'valid', revocationReason: null, revokedAt: null, supersededBy: null, addedAt: new Date(), seq: 1,
  };
  const verifier = new Verifier({
    chains: new ChainVerifier([readFileSync(join(caDir, 'ca.pem'))]),
    store: { lookup: () => record },
    realms: ['jaist.ac.jp'],
    revocation: { check: (p, a, t) => ocspChecker.check(p, a, t), forget: () => undefined },
  });
  const input = { chain: [alice.facts.der], outerIdentity: 'alice@jaist.ac.jp', now: new Date() };
  const decideRun = async () => {
    await time(5_000, () => verifier.decide(input));
    const s = await time(quick ? 20_000 : 100_000, () => verifier.decide(input));
    const d = await verifier.decide(input);
    if (d.result !== 'accept' || !d.revocation?.facts[0]?.cached) throw new Error(`decide run went wrong: ${JSON.stringify(d)}`);
    return stat(s);
  };
  const decideUp = await decideRun();
  await responder.stop();
  const decideDown = await decideRun();
  say(`decide(), cached certificate, responder up:      ${us(decideUp)}`);
  say(`decide(), cached certificate, responder stopped: ${us(decideDown)}`);
  results.decide = { responderUp: decideUp, responderStopped: decideDown };

  // 4. Whole logins against the built gateway, responder up, then stopped.
  responder = await startResponder(caDir, pki);
  const gwDir = join(dir, 'gw');
  mkdirSync(gwDir);
  const configPath = join(gwDir, 'certgate.yaml');
  writeFileSync(
    configPath,
    `radius:
  listen: ["127.0.0.1:0"]
  clients:
    - { name: lo, network: 127.0.0.0/8, secret: testing123 }
tls:
  certificate: ${join(pki, 'server.pem')}
  privateKey: ${join(pki, 'server.key')}
  trustAnchors: [${join(caDir, 'ca.pem')}]
identity:
  realms: [jaist.ac.jp]
store:
  path: store.db
http:
  listen: "127.0.0.1:0"
log:
  level: info
revocation:
  ocsp:
    enabled: true
    url: ${responder.url}
    timeoutMs: 2000
`,
  );
  execFileSync(process.execPath, [join(ROOT, 'bin', 'certgate.js'), 'store', '--config', configPath, 'add', join(pki, 'members', 'alice.pem')], { stdio: 'ignore' });
  const gw = await startGateway(configPath);
  const count = quick ? 500 : 3000;
  try {
    benchLogins(gw.port, pki, 50); // warm-up; fills the answer cache
    const up = benchLogins(gw.port, pki, count);
    await responder.stop();
    const down = benchLogins(gw.port, pki, count);
    const metrics = await (await fetch(`http://127.0.0.1:${gw.http}/metrics`)).text();
    const pick = (name: string) => metrics.split('\n').filter((l) => l.startsWith(name)).join('; ');
    say(`logins (certgate bench, concurrency 8, ${count} each), responder up:      ${up.authsPerSecond} auth/s, p50 ${up.p50Ms} ms, p95 ${up.p95Ms} ms, p99 ${up.p99Ms} ms, accepted ${up.accepted}`);
    say(`logins (certgate bench, concurrency 8, ${count} each), responder stopped: ${down.authsPerSecond} auth/s, p50 ${down.p50Ms} ms, p95 ${down.p95Ms} ms, p99 ${down.p99Ms} ms, accepted ${down.accepted}`);
    say(`gateway: ${pick('certgate_revocation_cache_hits_total')}; ${pick('certgate_revocation_cache_misses_total')}; ${pick('certgate_ocsp_request_duration_seconds_count')}`);
    results.logins = { count, concurrency: 8, responderUp: up, responderStopped: down };
  } finally {
    await gw.stop();
  }
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`revocation bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

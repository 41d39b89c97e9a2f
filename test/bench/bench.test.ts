// `certgate bench` (the built CLI) against the built gateway and against FreeRADIUS started from
// ../shared/peers/freeradius.sh: real EAP-TLS logins over RADIUS, checked through the --json line.
// No timing assertions: only what happened to each login.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPort, udpPortBound } from '../../src/bench/proc.js';
import { type GatewayProcess, ROOT, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { requireProgram } from '../helpers/programs.js';

const FREERADIUS_SH = join(ROOT, '..', 'shared', 'peers', 'freeradius.sh');
const N = 20;

interface BenchJson {
  sent: number;
  accepted: number;
  rejected: number;
  timeouts: number;
  errors: number;
  abandoned: number;
  resumed: number;
  mppeMismatches: number;
  tls12: number;
  tls13: number;
  authsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  clientCpuMs: number;
  roundsPerLogin: number;
}

async function bench(pki: TestPki, port: number, args: string[], member = 'alice') {
  const m = pki.member(member);
  const r = await runCli(['bench', '--server', `127.0.0.1:${port}`, '--secret', 'testing123', '--ca', pki.caCert, '--cert', m.cert, '--key', m.key, '--json', ...args]);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  let json: BenchJson;
  try {
    json = JSON.parse(last) as BenchJson;
  } catch {
    throw new Error(`no JSON last line (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { ...r, json };
}

function expectAllAccepted(r: { code: number; json: BenchJson; stderr: string }, n: number) {
  expect(r.json, r.stderr).toMatchObject({ sent: n, accepted: n, rejected: 0, timeouts: 0, errors: 0, mppeMismatches: 0 });
  for (const k of ['authsPerSecond', 'p50Ms', 'p95Ms', 'p99Ms', 'resumed', 'clientCpuMs'] as const) expect(typeof r.json[k]).toBe('number');
  expect(r.code).toBe(0);
}

describe('certgate bench against certgate', () => {
  let pki: TestPki;
  let gw: GatewayProcess;

  beforeAll(async () => {
    pki = makeTestPki();
    const dir = tempDir();
    const config = writeConfig(
      dir,
      gatewayYaml(pki),
    );
    const add = await runCli(['store', '--config', config, 'add', pki.member('alice').cert]);
    expect(add.code, add.stderr).toBe(0);
    gw = await startGateway(config, dir);
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
  });

  it('runs usage errors to exit code 2 without a server', async () => {
    const r = await runCli(['bench', '--server', '127.0.0.1:1812', '--secret', 's']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--count N|--ca FILE|--duration/);
  });

  for (const tls of ['1.3', '1.2'] as const) {
    it(`completes ${N} TLS ${tls} logins with matching MPPE keys`, async () => {
      const r = await bench(pki, gw.port, ['--tls', tls, '--count', String(N), '--concurrency', '4']);
      expectAllAccepted(r, N);
      expect(tls === '1.3' ? r.json.tls13 : r.json.tls12).toBe(N);
      // Progress and the summary are for people; the JSON line is the last on stdout.
      expect(r.stdout).toMatch(/accepted logins\/s/);
    });
  }

  it('needs fewer RADIUS round trips per full TLS 1.3 login with certgate\'s TLS 1.3 server than with OpenSSL, and with the shipped OpenSSL settings than without', async () => {
    // certgate's tickets name the certificate by its SHA-256, so its last flight fits one fragment;
    // OpenSSL's tickets carry the certificate (two fragments), and without config/openssl.cnf it
    // sends two of them (three fragments).
    const opensslGateway = async (opensslConfig: boolean) => {
      const dir = tempDir();
      const config = writeConfig(dir, gatewayYaml(pki, '', { tls: '  tls13Server: openssl' }));
      expect((await runCli(['store', '--config', config, 'add', pki.member('alice').cert])).code).toBe(0);
      return startGateway(config, dir, { opensslConfig });
    };
    const shipped = await opensslGateway(true);
    const plain = await opensslGateway(false);
    try {
      const ours = await bench(pki, gw.port, ['--tls', '1.3', '--count', '4', '--concurrency', '2']);
      const withCnf = await bench(pki, shipped.port, ['--tls', '1.3', '--count', '4', '--concurrency', '2']);
      const without = await bench(pki, plain.port, ['--tls', '1.3', '--count', '4', '--concurrency', '2']);
      for (const r of [ours, withCnf, without]) expectAllAccepted(r, 4);
      // The bench's own TLS 1.3 client against OpenSSL's server, resuming from OpenSSL's ticket.
      const resumed = await bench(pki, shipped.port, ['--tls', '1.3', '--count', '6', '--concurrency', '2', '--resume']);
      expectAllAccepted(resumed, 6);
      expect(resumed.json.resumed).toBe(4);
      expect(ours.json.roundsPerLogin).toBe(withCnf.json.roundsPerLogin - 1);
      expect(withCnf.json.roundsPerLogin).toBe(without.json.roundsPerLogin - 1);
      expect(plain.lines.some((l) => /OpenSSL settings not loaded/.test(String(l.msg)))).toBe(true);
      expect(shipped.lines.some((l) => /OpenSSL settings not loaded/.test(String(l.msg)))).toBe(false);
    } finally {
      await Promise.all([shipped.stop(), plain.stop()]);
    }
  });

  it('resumes the session of the slot\'s previous login with --resume', async () => {
    const r = await bench(pki, gw.port, ['--tls', '1.3', '--count', String(N), '--concurrency', '2', '--resume']);
    expectAllAccepted(r, N);
    expect(r.json.resumed).toBeGreaterThan(0);
  });

  for (const client of ['certgate', 'openssl'] as const) {
    it(`counts rejections (a certificate that is not in the store), TLS 1.3 client: ${client}`, async () => {
      const r = await bench(pki, gw.port, ['--tls', '1.3', '--tls-client', client, '--count', '3', '--concurrency', '3'], 'eve');
      expect(r.json).toMatchObject({ sent: 3, accepted: 0, rejected: 3, errors: 0 });
      expect(r.code).toBe(1);
    });

    it(`refuses a server whose certificate does not chain to --ca (an error, never a login), TLS 1.3 client: ${client}`, async () => {
      const m = pki.member('alice');
      const r = await runCli(['bench', '--server', `127.0.0.1:${gw.port}`, '--secret', 'testing123', '--ca', pki.otherCaCert, '--cert', m.cert, '--key', m.key, '--tls', '1.3', '--tls-client', client, '--count', '2', '--json']);
      const json = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as BenchJson;
      expect(json).toMatchObject({ sent: 2, accepted: 0, errors: 2 });
      expect(r.stderr).toMatch(/does not lead to --ca/);
      expect(r.code).toBe(1);
    });
  }

  it('leaves the warm-up logins out of every figure (--warm-up)', async () => {
    const r = await bench(pki, gw.port, ['--tls', '1.3', '--count', '4', '--warm-up', '3', '--concurrency', '2']);
    expectAllAccepted(r, 4);
    expect(r.json).toMatchObject({ sent: 4, rounds: 24, warmUp: 3 });
  });

  it('counts timeouts when the secret is wrong (replies fail their authenticator checks or never come)', async () => {
    const m = pki.member('alice');
    const r = await runCli(['bench', '--server', `127.0.0.1:${gw.port}`, '--secret', 'wrong-secret', '--ca', pki.caCert, '--cert', m.cert, '--key', m.key, '--count', '2', '--timeout', '200', '--retries', '1', '--json', '--quiet']);
    const json = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as BenchJson & { retransmits: number };
    expect(json).toMatchObject({ sent: 2, accepted: 0, timeouts: 2, retransmits: 2 });
    expect(r.code).toBe(1);
  });


  it('leaves conversations pending with --identity-only', async () => {
    const r = await bench(pki, gw.port, ['--identity-only', '--count', '10']);
    expect(r.json).toMatchObject({ sent: 10, abandoned: 10, accepted: 0, errors: 0 });
    expect(r.code).toBe(0);
  });
});

const haveFreeradius = requireProgram('freeradius', 'freeradius');

describe.runIf(haveFreeradius)('certgate bench against FreeRADIUS (freeradius.sh)', () => {
  let pki: TestPki;
  let child: ChildProcess | undefined;
  let port: number;

  beforeAll(async () => {
    pki = makeTestPki();
    port = await freeUdpPort();
    let output = '';
    child = spawn('bash', [FREERADIUS_SH, join(tempDir('certgate-fr-'), 'raddb'), String(port), pki.serverCert, pki.serverKey, pki.caCert, pki.crl], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!udpPortBound(port)) {
      if (child.exitCode !== null) throw new Error(`freeradius.sh exited with ${child.exitCode}: ${output}`);
      if (Date.now() > deadline) throw new Error(`FreeRADIUS did not bind port ${port}: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  // TLS 1.3 by the bench's own client and by OpenSSL's; FreeRADIUS is OpenSSL's server, and its
  // MPPE keys must equal the MSK the client derived.
  const rounds: Record<string, number> = {};
  for (const [tls, client] of [['1.3', 'certgate'], ['1.3', 'openssl'], ['1.2', 'openssl']] as const) {
    it(`completes ${N} TLS ${tls} logins with matching MPPE keys (client: ${client})`, async () => {
      const r = await bench(pki, port, ['--tls', tls, '--tls-client', client, '--count', String(N), '--concurrency', '4']);
      expectAllAccepted(r, N);
      expect(tls === '1.3' ? r.json.tls13 : r.json.tls12).toBe(N);
      rounds[`${tls} ${client}`] = r.json.roundsPerLogin;
    });
  }

  it('makes the same round trips with either TLS 1.3 client (the HelloRetryRequest for P-256 included)', () => {
    expect(rounds['1.3 certgate']).toBeGreaterThan(0);
    expect(rounds['1.3 certgate']).toBe(rounds['1.3 openssl']);
  });

  it('offers tickets to a server without a session cache and still logs in (--resume, TLS 1.3)', async () => {
    const r = await bench(pki, port, ['--tls', '1.3', '--count', '6', '--concurrency', '2', '--resume']);
    expectAllAccepted(r, 6);
  });

  it('counts FreeRADIUS\'s rejection of an expired certificate (TLS 1.3, the bench\'s client: it acknowledges the alert)', async () => {
    const r = await bench(pki, port, ['--tls', '1.3', '--count', '2', '--concurrency', '2'], 'dave');
    expect(r.json).toMatchObject({ sent: 2, accepted: 0, rejected: 2, errors: 0 });
  });
});

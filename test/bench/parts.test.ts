// The pure parts of the load generator and the harness: percentiles, argument parsing, the MPPE
// check, CPU-profile summaries and the BENCHMARKS.md section replacement.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs, parseServer } from '../../src/bench/bench-command.js';
import { mppeMatches, stationId } from '../../src/bench/login.js';
import { summariseProfile } from '../../src/bench/profile.js';
import { type Measurement, type Report, SECTION, renderSection, replaceSection } from '../../src/bench/report.js';
import { type BenchResult, median, percentile } from '../../src/bench/stats.js';
import { mppeKeyAttributes } from '../../src/radius/mppe.js';
import { Code } from '../../src/radius/packet.js';

describe('stats', () => {
  it('takes nearest-rank percentiles and medians', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([], 99)).toBe(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('bench arguments', () => {
  it('parses HOST:PORT and [IPv6]:PORT', () => {
    expect(parseServer('127.0.0.1:1812')).toEqual({ host: '127.0.0.1', port: 1812 });
    expect(parseServer('[::1]:18120')).toEqual({ host: '::1', port: 18120 });
    expect(parseServer('localhost:1812')).toEqual({ host: '127.0.0.1', port: 1812 });
    expect(() => parseServer('127.0.0.1')).toThrow(/HOST:PORT/);
    expect(() => parseServer('127.0.0.1:70000')).toThrow(/HOST:PORT/);
  });

  it('refuses a --ca without a certificate or a --key that is not one as usage errors, before any socket', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certgate-bench-args-'));
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello\n');
    const args = (ca: string, key: string) => ['--server', '127.0.0.1:9', '--secret', 's', '--ca', ca, '--cert', 'certs-fixtures/members/alice.pem', '--key', key, '--count', '1'];
    expect(() => parseBenchArgs(args(notPem, 'certs-fixtures/members/alice.key'))).toThrow('--ca holds no certificate');
    expect(() => parseBenchArgs(args('certs-fixtures/ca/ca.pem', notPem))).toThrow(/^--cert\/--key: not a certificate and its private key/);
    expect(parseBenchArgs(args('certs-fixtures/ca/ca.pem', 'certs-fixtures/members/alice.key')).identity).toMatch(/alice/);
  });

  it('gives each station a distinct MAC', () => {
    expect(stationId(0)).toBe('02-00-00-00-00-00');
    expect(stationId(0x123456)).toBe('02-00-00-12-34-56');
  });
});

describe('MPPE check', () => {
  const secret = Buffer.from('testing123');
  const auth = randomBytes(16);
  const msk = randomBytes(64);
  const accept = (attrs = mppeKeyAttributes(msk, secret, auth, 77)) => ({ code: Code.AccessAccept, identifier: 1, authenticator: auth, attributes: attrs });

  it('accepts keys that decrypt to the MSK halves', () => {
    expect(mppeMatches(accept(), secret, auth, msk)).toBe(true);
  });

  it('counts a wrong key, a missing key or a wrong secret as a mismatch', () => {
    expect(mppeMatches(accept(mppeKeyAttributes(randomBytes(64), secret, auth, 1)), secret, auth, msk)).toBe(false);
    expect(mppeMatches(accept(mppeKeyAttributes(msk, secret, auth, 1).slice(0, 1)), secret, auth, msk)).toBe(false);
    expect(mppeMatches(accept(), Buffer.from('other'), auth, msk)).toBe(false);
    expect(mppeMatches(accept(), secret, auth, undefined)).toBe(false);
  });
});

describe('CPU profile summary', () => {
  it('adds self time per function and origin, leaving idle out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certgate-prof-'));
    const file = join(dir, 'CPU.1.2.3.0.1.cpuprofile');
    const node = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 9 }, hitCount: 0 });
    writeFileSync(
      file,
      JSON.stringify({
        nodes: [node(1, '(root)', ''), node(2, '(idle)', ''), node(3, 'ondata', 'node:internal/js_stream_socket'), node(4, 'decide', 'file:///x/dist/verify/decide.js')],
        samples: [2, 3, 3, 4, 2],
        timeDeltas: [5000, 3000, 3000, 2000, 9000],
      }),
    );
    const s = summariseProfile(file);
    expect(s.busyMs).toBe(8);
    expect(s.top[0]).toMatchObject({ fn: 'ondata', selfMs: 6, pct: 75 });
    expect(s.top[1]).toMatchObject({ fn: 'decide', where: 'dist/verify/decide.js:10' });
    expect(s.byOrigin.map((o) => o.origin)).toEqual(['Node internals (node:*)', 'certgate (dist/)']);
  });
});

describe('BENCHMARKS.md section', () => {
  const mine = `${SECTION}\n\nnew figures\n`;

  it('creates the file with a title', () => {
    const text = replaceSection(undefined, mine);
    expect(text).toMatch(/^# certgate benchmarks\n/);
    expect(text).toContain('new figures');
  });

  it('replaces only its own section and keeps the others', () => {
    const before = `# certgate benchmarks\n\n## Workers\n\nscaling 1.9x\n\n${SECTION}\n\nold figures\n\n### sub\n\nold\n\n## Resumption\n\nkept\n`;
    const text = replaceSection(before, mine);
    expect(text).not.toContain('old figures');
    expect(text).not.toContain('### sub');
    expect(text).toContain('## Workers\n\nscaling 1.9x');
    expect(text).toContain('new figures\n\n## Resumption\n\nkept');
    expect(text.indexOf('## Workers')).toBeLessThan(text.indexOf(SECTION));
  });

  it('appends the section when the file has none', () => {
    const text = replaceSection('# certgate benchmarks\n\n## Workers\n\nx\n', mine);
    expect(text).toBe(`# certgate benchmarks\n\n## Workers\n\nx\n\n${mine}`);
  });
});

describe('half-rate latency in the report', () => {
  const result = (p99Ms: number): BenchResult =>
    ({ server: 'x', tls: '1.3', concurrency: 64, durationS: 8, authsPerSecond: 250, p50Ms: 4, p95Ms: 10, p99Ms, maxMs: p99Ms, meanMs: 5, roundsPerLogin: 7, clientCpuMs: 1, clientCpuMsPerLogin: 1 }) as BenchResult;
  const m = (server: string, round: number, p99Ms: number): Measurement => ({ server, round, phase: 'halfRate', bench: result(p99Ms), serverCpuMs: 1, serverCpuMsPerLogin: 1, serverCores: 0.5, otherCores: 0 });
  const report: Report = {
    date: '2026-11-25T12:00:00Z',
    machine: { model: 'test', nproc: 2, kernel: 'k', memMb: 1024, systemOpenssl: 'o' },
    runtimes: [],
    certgateCrl: true,
    loadgen: { node: '20', openssl: '3' },
    freeradius: 'FreeRADIUS 3.2',
    options: { rounds: 3, logins: 10, concurrency: 16, saturationSeconds: 8, saturationConcurrency: 64, halfRate: 250, halfRateSeconds: 8, pending: 10, logLevel: 'info' },
    servers: ['FreeRADIUS', 'certgate Node 24'],
    idleCpuMsPerSecond: {},
    measurements: [m('FreeRADIUS', 1, 30), m('FreeRADIUS', 2, 60), m('FreeRADIUS', 3, 40), m('certgate Node 24', 1, 22), m('certgate Node 24', 2, 70), m('certgate Node 24', 3, 24)],
    pendingMemory: [],
    profiles: [],
    failures: [],
    commands: [],
    durationS: 1,
  };

  it('judges the p99 target on the median over rounds and shows the spread and FreeRADIUS beside it', () => {
    const text = renderSection(report);
    const row = text.split('\n').find((l) => l.startsWith('| p99 login latency at half'))!;
    expect(row).toContain('**24.0 ms** [22.0–70.0] (FreeRADIUS 40.0 ms) ✓');
    expect(text).toContain('| at 250 logins/s offered: p99 ms per round | 30.0, 60.0, 40.0 | 22.0, 70.0, 24.0 |');
  });
});

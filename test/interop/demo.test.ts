// The shipped demo as a new user meets it: config/demo.yaml, the certificates `npm start` seeds
// the store with, and every eapol_test config in certs-fixtures/eapol_test/ with its expected outcome.
// Only the port (0) and the store location (a temp dir) differ, so tests never collide with a demo.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, ROOT, runCli, startGateway, tempDir, writeConfig } from '../helpers/gateway-process.js';
import { requireEapolTest } from '../helpers/eapol.js';

const run = requireEapolTest();

const expected: Record<string, 'SUCCESS' | 'FAILURE'> = {
  alice: 'SUCCESS',
  'alice-tls12': 'SUCCESS',
  bob: 'SUCCESS',
  carol: 'SUCCESS',
  'alice-old': 'FAILURE',
  dave: 'FAILURE',
  eve: 'FAILURE',
  mallory: 'FAILURE',
  'alice-noeku': 'FAILURE',
};

describe.runIf(run)('the shipped demo', () => {
  let gw: GatewayProcess;
  beforeAll(async () => {
    const dir = tempDir();
    const demo = readFileSync(join(ROOT, 'config/demo.yaml'), 'utf8')
      .replaceAll('../', `${ROOT}/`)
      .replace(/listen: \["127\.0\.0\.1:1812"\]/, 'listen: ["127.0.0.1:0"]')
      .replace(/path: .*demo\.db/, `path: ${dir}/demo.db`)
      .replace('"127.0.0.1:9812"', '"127.0.0.1:0"');
    const config = writeConfig(dir, demo);
    // The same certificates the `npm start` script records, in the same order: store first, then serve.
    const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
    const files = [...start.matchAll(/certs-fixtures\/members\/[\w-]+\.pem/g)].map((m) => join(ROOT, m[0]));
    expect(files.length).toBeGreaterThan(2);
    const add = await runCli(['store', '--config', config, 'add', ...files]);
    expect(add.code, add.stderr).toBe(0);
    gw = await startGateway(config, dir);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
  });

  for (const [name, outcome] of Object.entries(expected)) {
    it(`certs-fixtures/eapol_test/${name}.conf → ${outcome}`, async () => {
      const out = await new Promise<string>((resolve) =>
        execFile('eapol_test', ['-c', `certs-fixtures/eapol_test/${name}.conf`, '-a', '127.0.0.1', '-p', String(gw.port), '-s', 'testing123', '-r', '0', '-t', '10'], { cwd: ROOT, maxBuffer: 16 << 20 }, (_e, so, se) => resolve(so + se)),
      );
      expect(out.trim().split("\n").pop(), JSON.stringify(gw.lines.at(-1))).toBe(outcome);
      if (outcome === 'SUCCESS') expect(out).toContain('MPPE keys OK: 1  mismatch: 0');
    });
  }
});

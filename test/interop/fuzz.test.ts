// A short black-box fuzz run (≈10 s) against the built gateway: random and mutated datagrams,
// including mutations of captured Access-Requests re-signed with a valid Message-Authenticator,
// then a real eapol_test login and /healthz (scripts/fuzz-radius.mjs does both). The long run is
// in docs/hardening.md.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { type GatewayProcess, ROOT, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { requireEapolTest } from '../helpers/eapol.js';

const run = requireEapolTest();

describe.runIf(run)('fuzzing a live gateway', () => {
  let pki: TestPki;
  let gw: GatewayProcess;

  beforeAll(async () => {
    pki = makeTestPki();
    const dir = tempDir();
    const config = writeConfig(
      dir,
      gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
`),
    );
    const add = await runCli(['store', '--config', config, 'add', pki.member('alice').cert]);
    expect(add.code, add.stderr).toBe(0);
    gw = await startGateway(config, dir);
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
  });

  it('survives 10 s of random and mutated datagrams; a real login and /healthz work afterwards', async () => {
    const m = pki.member('alice');
    const args = [join(ROOT, 'scripts/fuzz-radius.mjs'), '--port', String(gw.port), '--http-port', String(gw.httpPort), '--seconds', '10', '--rate', '1500', '--ca', pki.caCert, '--cert', m.cert, '--key', m.key, '--identity', 'alice@jaist.ac.jp'];
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, args, { maxBuffer: 16 << 20 }, (e, stdout, stderr) => resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr })),
    );
    const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ok: boolean; seed: number; sent: Record<string, number>; loginAfter: boolean; healthz: number };
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(summary).toMatchObject({ ok: true, loginAfter: true, healthz: 200 });
    expect(summary.sent.resigned).toBeGreaterThan(1000);
    expect(summary.sent.conversation).toBeGreaterThan(50);
    expect(gw.child.exitCode).toBeNull();
    // Nothing the fuzzer sent may reach an exception: no error-level line, no internal_error drop.
    const errors = gw.lines.filter((l) => Number(l.level) >= 50);
    expect(errors, `seed ${summary.seed}: ${JSON.stringify(errors.slice(0, 3))}`).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(metrics).not.toContain('reason="internal_error"');
  }, 60_000);
});

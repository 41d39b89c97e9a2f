// Hardening seen from outside, with the built gateway and eapol_test: failed-login pacing per
// Calling-Station-Id (delays, then refusal with reason "paced", in metrics and the decision log),
// and configuration warnings (a world-readable secret file) reaching the log at start.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { type GatewayProcess, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { eapol, requireEapolTest } from '../helpers/eapol.js';

const run = requireEapolTest();

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe.runIf(run)('hardening against the built gateway', () => {
  let pki: TestPki;
  let gw: GatewayProcess;
  let dir: string;

  beforeAll(async () => {
    pki = makeTestPki();
    dir = tempDir();
    const secretFile = join(dir, 'nas.secret');
    writeFileSync(secretFile, 'testing123\n');
    chmodSync(secretFile, 0o644);
    const config = writeConfig(
      dir,
      gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
pacing:
  freeRejects: 1
  rejectDelayMs: 700
  maxRejectDelayMs: 1400
  refuseAfter: 3
  refuseSeconds: 60
`, { radius: `  listen: ["127.0.0.1:0"]
  clients:
    - { name: lo, network: 127.0.0.0/8, secretFile: ${secretFile} }` }),
    );
    const add = await runCli(['store', '--config', config, 'add', pki.member('alice').cert]);
    expect(add.code, add.stderr).toBe(0);
    gw = await startGateway(config, dir);
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
  });

  const login = async (member: string, mac: string) => {
    const m = pki.member(member);
    const since = gw.lines.length;
    const t0 = Date.now();
    const r = await eapol({ port: gw.port, identity: `${member}@jaist.ac.jp`, caCert: pki.caCert, cert: m.cert, key: m.key, dir, args: ['-M', mac] });
    const ms = Date.now() - t0;
    const decision = await gw.waitFor((l) => l.event === 'decision', since);
    return { ...r, ms, decision };
  };

  it('logs the world-readable secret file warning at start', () => {
    const warning = gw.lines.find((l) => Number(l.level) === 40 && /readable by every user/.test(String(l.warning)));
    expect(warning, JSON.stringify(gw.lines.slice(0, 5))).toBeDefined();
    expect(String(warning!.warning)).toContain('nas.secret');
  });

  it('slows repeated rejects for one Calling-Station-Id, then refuses it (reason paced); other stations are unaffected', async () => {
    const mac = '02:00:00:0b:ad:01';
    const first = await login('eve', mac); // not in the store: rejected, no delay (free reject)
    expect(first.decision).toMatchObject({ result: 'reject', reason: 'not_issued' });
    const second = await login('eve', mac); // delayed 700 ms
    expect(second.decision).toMatchObject({ result: 'reject', reason: 'not_issued' });
    expect(second.ms).toBeGreaterThanOrEqual(700);
    await login('eve', mac); // third reject: delayed 1400 ms, refusal starts
    const refused = await login('eve', mac);
    expect(refused.success).toBe(false);
    expect(refused.decision).toMatchObject({ result: 'reject', reason: 'paced', callingStationId: '02-00-00-0B-AD-01' });
    expect(String(refused.decision.detail)).toMatch(/refused for \d+ s more/);
    // The same device is refused even with a good certificate, whatever the MAC's spelling…
    const sameDevice = await login('alice', '02:00:00:0B:AD:01');
    expect(sameDevice.decision).toMatchObject({ reason: 'paced' });
    // …while another device logs in as usual.
    const other = await login('alice', '02:00:00:00:00:42');
    expect(other.success, other.output.slice(-1500)).toBe(true);

    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(metric(metrics, 'certgate_pacing_refusals_total')).toBe(2);
    expect(metric(metrics, 'certgate_pacing_active')).toBe(1);
    expect(metric(metrics, 'certgate_pacing_delayed_total{how="held"}')).toBe(2);
    expect(metric(metrics, 'certgate_auth_decisions_total{result="reject",reason="paced"}')).toBe(2);
  }, 60_000);
});

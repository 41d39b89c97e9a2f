// Session resumption with a real supplicant: eapol_test re-authenticates (-r 2) in one process,
// reusing its TLS session. TLS 1.3 resumes by ticket; TLS 1.2 by session ID (wpa_supplicant turns
// tickets off for EAP-TLS). Twice: with every handshake on the two worker threads (placement
// workers: a session ID resumes only on the worker that made it), and with the default adaptive
// placement (at this load, on the main thread).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { type GatewayProcess, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { eapol, requireEapolTest } from '../helpers/eapol.js';

const run = requireEapolTest();

for (const placement of ['workers', 'adaptive'] as const)
describe.runIf(run)(`session resumption with eapol_test (placement ${placement})`, () => {
  let pki: TestPki;
  let gw: GatewayProcess;
  let dir: string;
  beforeAll(async () => {
    pki = makeTestPki();
    dir = tempDir();
    const config = writeConfig(
      dir,
      gatewayYaml(pki, `http:
  listen: 127.0.0.1:0
`, { tls: `  workers: 2
  placement: ${placement}` }),
    );
    const add = await runCli(['store', '--config', config, 'add', pki.member('alice').cert]);
    expect(add.code, add.stderr).toBe(0);
    gw = await startGateway(config, dir);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
  });

  for (const tls12 of [false, true]) {
    it(`resumes repeat logins (${tls12 ? 'TLS 1.2, session ID' : 'TLS 1.3, ticket'}) and still decides each`, async () => {
      const since = gw.lines.length;
      const m = pki.member('alice');
      const r = await eapol({ port: gw.port, identity: 'alice@jaist.ac.jp', caCert: pki.caCert, cert: m.cert, key: m.key, dir, tls12, args: ['-r', '2'] });
      expect(r.success, r.output.slice(-1500)).toBe(true);
      await gw.waitFor((l) => l.event === 'decision', since);
      await new Promise((res) => setTimeout(res, 200));
      const decisions = gw.lines.slice(since).filter((l) => l.event === 'decision');
      expect(decisions).toHaveLength(3);
      expect(decisions.every((d) => d.result === 'accept' && d.tlsVersion === (tls12 ? 'TLSv1.2' : 'TLSv1.3'))).toBe(true);
      expect(decisions.map((d) => d.resumed)).toEqual([false, true, true]);
    });
  }

  it('ran the handshakes where the placement says', async () => {
    const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    const started = (thread: string) => Number(new RegExp(`^certgate_tls_handshakes_total\\{thread="${thread}"\\} (\\d+)`, 'm').exec(text)?.[1]);
    // Six logins above; a login at this pace runs on the main thread unless placement is workers.
    // The TLS 1.2 logins made one resumable session ID (the others resumed it).
    expect(Number(/^certgate_tls_session_ids (\d+)/m.exec(text)?.[1])).toBe(1);
    if (placement === 'workers') expect([started('main'), started('worker')]).toEqual([0, 6]);
    else expect([started('main'), started('worker')]).toEqual([6, 0]);
    // TLS 1.3 on certgate's own server (its tickets resumed on whichever thread), TLS 1.2 on OpenSSL.
    const server = (s: string, why: string) => Number(new RegExp(`^certgate_tls_server_handshakes_total\\{server="${s}",why="${why}"\\} (\\d+)`, 'm').exec(text)?.[1]);
    expect([server('certgate', 'tls13'), server('openssl', 'not_tls13')]).toEqual([3, 3]);
  });
});

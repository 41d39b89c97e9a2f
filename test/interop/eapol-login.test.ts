// The interoperability suite: the built gateway, a real supplicant (eapol_test), a real PKI made
// with `openssl ca` at test time. Each case checks eapol_test's verdict AND the reason certgate logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { type GatewayProcess, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { eapol, requireEapolTest } from '../helpers/eapol.js';

const run = requireEapolTest();

describe.runIf(run)('EAP-TLS logins with eapol_test', () => {
  let pki: TestPki;
  let gw: GatewayProcess;
  let dir: string;

  beforeAll(async () => {
    pki = makeTestPki();
    dir = tempDir();
    const config = writeConfig(
      dir,
      gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
`),
    );
    const members = ['alice', 'alice-old', 'bob', 'carol', 'alice-noeku'].map((m) => pki.member(m).cert);
    const add = await runCli(['store', '--config', config, 'add', ...members]);
    expect(add.code, add.stderr).toBe(0);
    const addExpired = await runCli(['store', '--config', config, 'add', '--allow-expired', pki.member('dave').cert]);
    expect(addExpired.code, addExpired.stderr).toBe(0);
    gw = await startGateway(config, dir);
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
  });

  async function login(member: string, opts: { identity?: string; tls12?: boolean; fragmentSize?: number } = {}) {
    const since = gw.lines.length;
    const m = pki.member(member);
    const identity = opts.identity ?? `${member.replace(/-.*/, '')}@jaist.ac.jp`;
    const r = await eapol({ port: gw.port, identity, caCert: pki.caCert, cert: m.cert, key: m.key, dir, tls12: opts.tls12, fragmentSize: opts.fragmentSize });
    const decision = await gw.waitFor((l) => l.event === 'decision' && l.outerIdentity === identity, since);
    return { ...r, decision };
  }

  it('accepts a current member over TLS 1.3 with MPPE keys', async () => {
    const r = await login('alice');
    expect(r.success, r.output.slice(-2000)).toBe(true);
    expect(r.mppeOk).toBe(true);
    expect(r.decision).toMatchObject({ result: 'accept', reason: 'ok', member: 'alice@jaist.ac.jp', tlsVersion: 'TLSv1.3', client: 'lo' });
    expect(r.decision.serial).toMatch(/^[0-9A-F]+$/);
  });

  it('accepts a current member over TLS 1.2 with MPPE keys', async () => {
    const r = await login('alice', { tls12: true });
    expect(r.success, r.output.slice(-2000)).toBe(true);
    expect(r.mppeOk).toBe(true);
    expect(r.decision).toMatchObject({ result: 'accept', tlsVersion: 'TLSv1.2' });
  });

  for (const fragmentSize of [300, 1398]) {
    for (const tls12 of [false, true]) {
      it(`accepts with supplicant fragment size ${fragmentSize} (${tls12 ? 'TLS 1.2' : 'TLS 1.3'})`, async () => {
        const r = await login('bob', { fragmentSize, tls12 });
        expect(r.success, r.output.slice(-2000)).toBe(true);
        expect(r.mppeOk).toBe(true);
      });
    }
  }

  it('accepts an anonymous outer identity in our realm', async () => {
    for (const identity of ['anonymous@jaist.ac.jp', '@jaist.ac.jp']) {
      const r = await login('bob', { identity });
      expect(r.success).toBe(true);
      expect(r.decision).toMatchObject({ result: 'accept', member: 'bob@jaist.ac.jp' });
    }
  });

  const rejects: [string, string, { identity?: string }, string][] = [
    ['a certificate of another CA', 'mallory', {}, 'untrusted_issuer'],
    ['an expired certificate', 'dave', {}, 'expired'],
    ['a certificate of the trusted CA absent from the store', 'eve', {}, 'not_issued'],
    ['a superseded certificate', 'alice-old', {}, 'superseded'],
    ['a certificate without clientAuth', 'alice-noeku', { identity: 'alice2@jaist.ac.jp' }, 'bad_eku'],
    ['an outer identity naming someone else', 'alice', { identity: 'bob@jaist.ac.jp' }, 'identity_mismatch'],
    ['a foreign realm', 'alice', { identity: 'alice@example.ac.jp' }, 'realm'],
  ];
  for (const [what, member, opts, reason] of rejects) {
    it(`rejects ${what} (${reason})`, async () => {
      const r = await login(member, opts);
      expect(r.success).toBe(false);
      expect(r.output).toMatch(/EAP-Failure|FAILURE/);
      expect(r.decision).toMatchObject({ result: 'reject', reason });
    });
  }

  it('rejects a certificate revoked in the store by the CLI while running (within 2 s)', async () => {
    const before = await login('carol');
    expect(before.success).toBe(true);
    const serial = before.decision.serial as string;
    const rev = await gw.cli('store', 'revoke', '--serial', serial, '--reason', 'keyCompromise');
    expect(rev.code, rev.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    const after = await login('carol');
    expect(after.success).toBe(false);
    expect(after.decision).toMatchObject({ result: 'reject', reason: 'revoked_store' });
  });

  it('answers readiness once listening with the store open', async () => {
    const res = await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
  });

  it('never logs the shared secret or key material', () => {
    const text = gw.lines.map((l) => JSON.stringify(l)).join('\n');
    expect(text).not.toContain('testing123');
    expect(text).not.toMatch(/"msk"|PRIVATE KEY/);
  });
});

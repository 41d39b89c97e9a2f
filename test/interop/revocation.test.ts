// Revocation against real programs: `openssl ca` makes the CRLs (one re-issued while the gateway
// runs), `openssl ocsp` is the responder, eapol_test logs in to the built gateway, and
// `certgate check` shows the facts it used. A fresh demo PKI: this file revokes in its CA database.
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { type GatewayProcess, runCli, startGateway, tempDir, writeConfig } from '../helpers/gateway-process.js';
import { eapol, requireEapolTest } from '../helpers/eapol.js';
import { requireProgram } from '../helpers/programs.js';
import { type OcspResponder, type TwoLevelPki, genCrl, issueMember, makeTwoLevelPki, revokeMember, signStray, startOcspResponder, tamperSignature } from '../helpers/revocation-pki.js';

const run = requireEapolTest() && requireProgram('openssl', 'openssl');

function gatewayConfig(pki: TestPki, anchors: string[], revocation: string, store = 'store.db') {
  return `radius:
  listen: ["127.0.0.1:0"]
  clients:
    - { name: lo, network: 127.0.0.0/8, secret: testing123 }
tls:
  certificate: ${pki.serverCert}
  privateKey: ${pki.serverKey}
  trustAnchors: [${anchors.join(', ')}]
  workers: 0
identity:
  realms: [jaist.ac.jp]
store:
  path: ${store}
http:
  listen: "127.0.0.1:0"
log:
  level: info
revocation:
${revocation}`;
}

function metric(text: string, line: string): number {
  const l = text.split('\n').find((x) => x.startsWith(`${line} `));
  return l ? Number(l.split(' ').pop()) : 0;
}

describe.runIf(run)('revocation with openssl ca, openssl ocsp and eapol_test', () => {
  let pki: TestPki;
  let two: TwoLevelPki;
  let dir: string;
  let ocsp: OcspResponder;
  const people: Record<string, { cert: string; key: string }> = {};
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    pki = makeTestPki({ fresh: true });
    dir = tempDir('certgate-revocation-');
    two = makeTwoLevelPki(dir);
    for (const m of ['alice', 'bob', 'carol']) people[m] = pki.member(m);
    for (const m of ['frank', 'grace', 'heidi', 'judy']) people[m] = issueMember(pki, m);
    people.stray = signStray(pki, 'stray', '7F01');
    people.ivan = { cert: two.memberChain, key: two.memberKey };
    // The responder reads index.txt once: frank is revoked before it starts.
    revokeMember(pki, people.frank!.cert);
    ocsp = await startOcspResponder(pki);
  }, 60_000);

  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await ocsp?.stop();
  });

  async function start(name: string, anchors: string[], revocation: string, members: string[]): Promise<GatewayProcess> {
    const d = tempDir(`certgate-revocation-${name}-`);
    const config = writeConfig(d, gatewayConfig(pki, anchors, revocation));
    const add = await runCli(['store', '--config', config, 'add', ...members.map((m) => (m === 'ivan' ? two.memberCert : people[m]!.cert))]);
    expect(add.code, add.stderr).toBe(0);
    const gw = await startGateway(config, d);
    gateways.push(gw);
    return gw;
  }

  async function login(gw: GatewayProcess, member: string) {
    const since = gw.lines.length;
    const identity = `${member}@jaist.ac.jp`;
    const p = people[member]!;
    const r = await eapol({ port: gw.port, identity, caCert: pki.caCert, cert: p.cert, key: p.key, dir, timeoutSeconds: 5 });
    const decision = await gw.waitFor((l) => l.event === 'decision' && l.outerIdentity === identity, since);
    return { success: r.success, decision, output: r.output };
  }

  describe('CRLs (files watched by the gateway)', () => {
    let gw: GatewayProcess;
    let crlFile: string;
    let rootCrl: string;

    beforeAll(async () => {
      crlFile = join(dir, 'demo-ca.crl.pem');
      copyFileSync(pki.crl, crlFile);
      // The root's CRL revokes the intermediate that issued ivan's certificate.
      two.revokeIntermediate();
      rootCrl = join(dir, 'root.crl.pem');
      two.genCrl(rootCrl);
      gw = await start('crl', [pki.caCert, two.rootCert], `  crls:\n    - file: ${crlFile}\n    - file: ${rootCrl}\n`, ['alice', 'bob', 'carol', 'ivan']);
    }, 60_000);

    it('accepts members the CRL does not list, and /readyz reports each CRL loaded and fresh', async () => {
      const r = await login(gw, 'alice');
      expect(r.success, r.output.slice(-1500)).toBe(true);
      expect(r.decision).toMatchObject({ result: 'accept', reason: 'ok' });
      const ready = await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { parts: Record<string, string> };
      expect(body.parts.crls).toContain(`${crlFile}: Demo UPKI CA #1`);
      expect(body.parts.crls).toContain(`${rootCrl}: Two Level Root CA #1`);
    });

    it('rejects a member whose intermediate CA is revoked on the root\'s CRL (revoked_crl)', async () => {
      const r = await login(gw, 'ivan');
      expect(r.success).toBe(false);
      expect(r.decision).toMatchObject({ result: 'reject', reason: 'revoked_crl', member: 'ivan@jaist.ac.jp' });
      expect(r.decision.detail).toMatch(/Two Level Intermediate CA .*on the CRL of Two Level Root CA.*cACompromise/);
    });

    it('a re-issued CRL (renamed over the file) revoking a member is in force within 5 s, no restart', async () => {
      expect((await login(gw, 'bob')).success).toBe(true);
      revokeMember(pki, people.bob!.cert);
      const next = join(dir, 'demo-ca.crl.new');
      genCrl(pki, next);
      const t0 = Date.now();
      renameSync(next, crlFile);
      let r = await login(gw, 'bob');
      while (r.decision.reason !== 'revoked_crl' && Date.now() - t0 < 5000) {
        await new Promise((res) => setTimeout(res, 200));
        r = await login(gw, 'bob');
      }
      const took = Date.now() - t0;
      expect(r.success).toBe(false);
      expect(r.decision).toMatchObject({ result: 'reject', reason: 'revoked_crl', member: 'bob@jaist.ac.jp' });
      expect(took).toBeLessThan(5000);
      expect(r.decision.detail).toMatch(/CRL Number 2.*keyCompromise/);
      expect((await login(gw, 'alice')).success).toBe(true);
    });

    it('a CRL with a bad signature is ignored (logged and counted); the CRL in force stays', async () => {
      // A forged CRL #3 that would revoke carol: its signature does not verify.
      revokeMember(pki, people.carol!.cert);
      const real = join(dir, 'crl3.pem');
      genCrl(pki, real);
      const forged = join(dir, 'forged.tmp');
      tamperSignature(real, forged);
      const since = gw.lines.length;
      renameSync(forged, crlFile);
      const refused = await gw.waitFor((l) => l.event === 'crl_refused' && l.source === crlFile, since, 5000);
      expect(refused.why).toMatch(/bad signature/);
      expect((await login(gw, 'carol')).decision).toMatchObject({ result: 'accept' });
      expect((await login(gw, 'bob')).decision).toMatchObject({ reason: 'revoked_crl' });
      const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
      expect(metric(text, `certgate_crl_load_failures_total{source="${crlFile}"}`)).toBeGreaterThanOrEqual(1);
      expect(metric(text, 'certgate_crl_next_update_timestamp_seconds{issuer="Demo UPKI CA"}')).toBeGreaterThan(Date.now() / 1000);
      expect(metric(text, 'certgate_revocation_checks_total{source="crl",result="revoked"}')).toBeGreaterThanOrEqual(2);
      // The genuine CRL #3 is taken when it arrives.
      copyFileSync(real, join(dir, 'crl3.tmp'));
      renameSync(join(dir, 'crl3.tmp'), crlFile);
      await gw.waitFor((l) => l.event === 'crl_loaded' && l.crlNumber === '3', since, 5000);
      expect((await login(gw, 'carol')).decision).toMatchObject({ reason: 'revoked_crl' });
    });

    it('certgate check shows the revocation facts it used', async () => {
      const r = await gw.cli('check', people.alice!.cert);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/revocation: .*Alice.*good by crl \(cached\), from .*demo-ca\.crl\.pem, CRL Number 3, thisUpdate \S+, nextUpdate \S+/);
      const j = await gw.cli('check', '--json', two.memberChain);
      const d = JSON.parse(j.stdout) as { reason: string; revocation: { facts: { subject: string; status: string; source: string }[] } };
      expect(d.reason).toBe('revoked_crl');
      // Every certificate below the anchor: the leaf and the intermediate.
      expect(d.revocation.facts).toEqual([
        expect.objectContaining({ subject: expect.stringContaining('CN=Ivan'), source: 'none', status: 'not_covered' }),
        expect.objectContaining({ subject: expect.stringContaining('CN=Two Level Intermediate CA'), source: 'crl', status: 'revoked' }),
      ]);
    });
  });

  describe('stale CRL', () => {
    it('rejects with crl_stale; with crlPolicy.softFail the login passes and the soft-fail is counted', async () => {
      const stale = join(dir, 'stale.crl.pem');
      genCrl(pki, stale, 1);
      await new Promise((r) => setTimeout(r, 1500));
      const strict = writeConfig(tempDir('certgate-stale-strict-'), gatewayConfig(pki, [pki.caCert], `  crls:\n    - file: ${stale}\n`));
      expect((await runCli(['store', '--config', strict, 'add', people.judy!.cert])).code).toBe(0);
      const c = await runCli(['check', '--config', strict, people.judy!.cert]);
      expect(c.code).toBe(1);
      expect(c.stdout).toMatch(/reason: +crl_stale/);
      expect(c.stdout).toMatch(/revocation: .*stale by crl/);

      const gw = await start('stale', [pki.caCert], `  crls:\n    - file: ${stale}\n  crlPolicy:\n    softFail: true\n`, ['judy']);
      const r = await login(gw, 'judy');
      expect(r.success).toBe(true);
      expect(r.decision).toMatchObject({ result: 'accept' });
      const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
      expect(metric(text, 'certgate_revocation_soft_fail_total{source="crl"}')).toBe(1);
      expect(gw.lines.some((l) => l.event === 'revocation_soft_fail' && l.source === 'crl')).toBe(true);
      const ready = await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { parts: Record<string, string> }).parts.crls).toMatch(/stale since/);
      await gw.stop();
    });
  });

  describe('OCSP (openssl ocsp as the responder)', () => {
    let gw: GatewayProcess;

    beforeAll(async () => {
      gw = await start('ocsp', [pki.caCert], `  ocsp:\n    enabled: true\n    url: ${ocsp.url}\n    timeoutMs: 1000\n`, ['alice', 'frank', 'grace', 'heidi', 'stray']);
    }, 60_000);

    it('accepts a good answer and answers the next login from the cache', async () => {
      const text0 = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
      expect((await login(gw, 'alice')).decision).toMatchObject({ result: 'accept' });
      expect((await login(gw, 'alice')).decision).toMatchObject({ result: 'accept' });
      const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
      const d = (n: string) => metric(text, n) - metric(text0, n);
      expect(d('certgate_revocation_cache_misses_total')).toBe(1);
      expect(d('certgate_revocation_cache_hits_total')).toBe(1);
      expect(d('certgate_revocation_checks_total{source="ocsp",result="good"}')).toBe(2);
      expect(metric(text, 'certgate_ocsp_request_duration_seconds_count{result="answer"}')).toBe(1);
    });

    it('rejects a certificate the responder says is revoked (revoked_ocsp)', async () => {
      const r = await login(gw, 'frank');
      expect(r.success).toBe(false);
      expect(r.decision).toMatchObject({ result: 'reject', reason: 'revoked_ocsp' });
      expect(r.decision.detail).toMatch(/keyCompromise/);
    });

    it('rejects a certificate the responder does not know (ocsp_unknown)', async () => {
      const r = await login(gw, 'stray');
      expect(r.success).toBe(false);
      expect(r.decision).toMatchObject({ result: 'reject', reason: 'ocsp_unknown' });
    });

    it('responder down: a cached answer is accepted; nothing cached is rejected, or accepted with softFail', async () => {
      expect((await login(gw, 'grace')).decision).toMatchObject({ result: 'accept' });
      await ocsp.stop();
      const cached = await login(gw, 'grace');
      expect(cached.success).toBe(true);
      expect(cached.decision).toMatchObject({ result: 'accept' });
      const cold = await login(gw, 'heidi');
      expect(cold.success).toBe(false);
      expect(cold.decision).toMatchObject({ result: 'reject', reason: 'ocsp_unavailable' });
      expect(cold.decision.detail).toMatch(/ECONNREFUSED|no answer/);

      const soft = writeConfig(tempDir('certgate-ocsp-soft-'), gatewayConfig(pki, [pki.caCert], `  ocsp:\n    enabled: true\n    url: ${ocsp.url}\n    timeoutMs: 500\n    softFail: true\n`));
      expect((await runCli(['store', '--config', soft, 'add', people.heidi!.cert])).code).toBe(0);
      const c = await runCli(['check', '--config', soft, people.heidi!.cert]);
      expect(c.code, c.stdout + c.stderr).toBe(0);
      expect(c.stdout).toMatch(/revocation: .*unavailable by ocsp \(asked now\), from http:\/\/127\.0\.0\.1:\d+, passed by softFail/);
    });
  });

  it('never logs key material', () => {
    const text = gateways.flatMap((g) => g.lines).map((l) => JSON.stringify(l)).join('\n');
    expect(text).not.toMatch(/PRIVATE KEY|testing123/);
    expect(readFileSync(pki.crl).length).toBeGreaterThan(0);
  });
});

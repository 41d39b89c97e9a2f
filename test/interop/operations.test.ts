// Operations against the built gateway: metrics that count exactly what happened, Status-Server
// with radclient on IPv4 and IPv6, secret rotation by SIGHUP, SIGTERM, the admin API, and logs
// that never carry a secret.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { type GatewayProcess, ROOT, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { eapol, requireEapolTest } from '../helpers/eapol.js';
import { requireProgram } from '../helpers/programs.js';
import { radclient } from '../helpers/radclient.js';

const run = requireEapolTest() && requireProgram('radclient', 'freeradius-utils') && requireProgram('promtool', 'prometheus');
const TOKEN = 'admin-token-0123456789abcdef';

function config(pki: TestPki, secret: string, extra = '') {
  return gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
  adminToken: ${TOKEN}
${extra}`, { radius: `  listen: ["127.0.0.1:0", "[::1]:0"]
  clients:
    - { name: lo, network: 127.0.0.1, secret: ${secret} }
    - { name: lo6, network: "::1", secret: ${secret} }` });
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe.runIf(run)('operations', () => {
  let pki: TestPki;
  let gw: GatewayProcess;
  let dir: string;
  let configPath: string;
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const login = (member: string, secret = 'first-secret', identity?: string) => {
    const m = pki.member(member);
    return eapol({ port: gw.port, secret, identity: identity ?? `${member}@jaist.ac.jp`, caCert: pki.caCert, cert: m.cert, key: m.key, dir, timeoutSeconds: 3 });
  };
  const scrape = async () => (await fetch(`${base()}/metrics`)).text();

  beforeAll(async () => {
    pki = makeTestPki();
    dir = tempDir();
    configPath = writeConfig(dir, config(pki, 'first-secret'));
    const add = await runCli(['store', '--config', configPath, 'add', pki.member('alice').cert, pki.member('bob').cert]);
    expect(add.code, add.stderr).toBe(0);
    gw = await startGateway(configPath, dir);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('counts decisions and requests exactly: two accepts, one reject', async () => {
    const before = await scrape();
    expect((await login('alice')).success).toBe(true);
    expect((await login('bob')).success).toBe(true);
    expect((await login('alice', 'first-secret', 'bob@jaist.ac.jp')).success).toBe(false);
    const after = await scrape();
    const d = (n: string) => metric(after, n) - metric(before, n);
    expect(d('certgate_auth_decisions_total{result="accept",reason="ok"}')).toBe(2);
    expect(d('certgate_auth_decisions_total{result="reject",reason="identity_mismatch"}')).toBe(1);
    expect(d('certgate_auth_duration_seconds_count')).toBe(3);
    expect(d('certgate_eap_rounds_count')).toBe(3);
    expect(d('certgate_radius_requests_total{code="access_request",client="lo"}')).toBeGreaterThanOrEqual(3 * 4);
    expect(metric(after, 'certgate_eap_sessions_active')).toBe(0);
    expect(metric(after, 'certgate_store_certificates{status="valid"}')).toBe(2);
    expect(after).toContain('process_cpu_seconds_total');
  });

  it('drops and counts unknown clients, malformed packets and bad authenticators', async () => {
    const before = await scrape();
    const send = (buf: Buffer, from: string) =>
      new Promise<void>((resolve) => {
        const s = dgram.createSocket('udp4');
        s.bind(0, from, () => s.send(buf, gw.port, '127.0.0.1', () => (s.close(), resolve())));
      });
    await send(Buffer.alloc(30, 1), '127.0.0.2'); // not a client (only 127.0.0.1 is)
    await send(Buffer.from('01010005', 'hex'), '127.0.0.1'); // shorter than a header
    const wrong = await radclient(`127.0.0.1:${gw.port}`, 'status', 'wrong-secret', 'Message-Authenticator = 0x00\n');
    expect(wrong.output).not.toContain('Received Access-Accept');
    await new Promise((r) => setTimeout(r, 200));
    const after = await scrape();
    const d = (n: string) => metric(after, n) - metric(before, n);
    expect(d('certgate_radius_dropped_total{reason="unknown_client"}')).toBe(1);
    expect(d('certgate_radius_dropped_total{reason="malformed"}')).toBe(1);
    expect(d('certgate_radius_dropped_total{reason="bad_authenticator"}')).toBeGreaterThanOrEqual(1);
  });

  it('answers Status-Server (RFC 5997) with radclient on IPv4 and IPv6', async () => {
    const v4 = await radclient(`127.0.0.1:${gw.port}`, 'status', 'first-secret', 'Message-Authenticator = 0x00\n');
    expect(v4.output).toContain('Received Access-Accept');
    const port6 = Number(((await gw.waitFor((l) => l.msg === 'certgate ready')).radius as string[]).find((a) => a.startsWith('[::1]'))!.split(':').pop());
    const v6 = await radclient(`[::1]:${port6}`, 'status', 'first-secret', 'Message-Authenticator = 0x00\n');
    expect(v6.output).toContain('Received Access-Accept');
  });

  it('serves /healthz and /readyz', async () => {
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
    const r = await fetch(`${base()}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ready', parts: { store: expect.stringContaining('open') } });
  });

  describe('admin API', () => {
    const call = (path: string, init: RequestInit & { token?: string | null } = {}) =>
      fetch(`${base()}${path}`, { ...init, headers: { ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? TOKEN}` }), ...(init.headers ?? {}) } });

    it('refuses a missing or wrong token with 401', async () => {
      expect((await call('/v1/certificates?member=alice@jaist.ac.jp', { token: null })).status).toBe(401);
      expect((await call('/v1/certificates?member=alice@jaist.ac.jp', { token: 'wrong' })).status).toBe(401);
    });

    it('refuses bad bodies and queries with a 4xx and a reason', async () => {
      const notPem = await call('/v1/certificates', { method: 'POST', body: 'hello' });
      expect(notPem.status).toBe(400);
      expect(await notPem.json()).toMatchObject({ error: 'no_certificate' });
      const badJson = await call('/v1/certificates/1003/revoke', { method: 'POST', body: '{not json' });
      expect(badJson.status).toBe(400);
      const badReason = await call('/v1/certificates/1003/revoke', { method: 'POST', body: JSON.stringify({ reason: 'lost it' }) });
      expect(badReason.status).toBe(400);
      expect(await badReason.json()).toMatchObject({ error: 'bad_reason' });
      const badSerial = await call('/v1/certificates/zz!/revoke', { method: 'POST', body: '{}' });
      expect(badSerial.status).toBe(400);
      const unknown = await call('/v1/certificates/ABCDEF/revoke', { method: 'POST', body: '{}' });
      expect(unknown.status).toBe(404);
      expect((await call('/v1/certificates')).status).toBe(400);
    });

    it('records a certificate, lists it, revokes it, and the next login is refused', async () => {
      const carol = readFileSync(pki.member('carol').cert, 'utf8');
      const add = await call('/v1/certificates', { method: 'POST', body: carol, headers: { 'content-type': 'application/x-pem-file' } });
      expect(add.status).toBe(201);
      const added = (await add.json()) as { results: { certificate: { serial: string } }[] };
      const serial = added.results[0]!.certificate.serial;
      expect((await login('carol')).success).toBe(true);
      const list = await call('/v1/certificates?member=carol@jaist.ac.jp');
      expect(await list.json()).toMatchObject({ certificates: [{ serial, status: 'valid' }] });
      const rev = await call(`/v1/certificates/${serial}/revoke`, { method: 'POST', body: JSON.stringify({ reason: 'keyCompromise' }) });
      expect(rev.status).toBe(200);
      expect(await rev.json()).toMatchObject({ outcome: 'revoked', certificate: { status: 'revoked', revocationReason: 'keyCompromise' } });
      const after = await login('carol');
      expect(after.success).toBe(false);
      const decisions = await call('/v1/decisions?member=carol@jaist.ac.jp');
      const body = (await decisions.json()) as { decisions: { result: string; reason: string }[] };
      expect(body.decisions.slice(0, 2).map((d) => `${d.result}:${d.reason}`)).toEqual(['reject:revoked_store', 'accept:ok']);
    });
  });

  it('rotates a client secret on SIGHUP: the new one works, the old one stops; a bad file is refused', async () => {
    // With a restart-only change beside it: applied at the next start, and said so.
    writeFileSync(configPath, config(pki, 'second-secret', 'pacing:\n  enabled: false'));
    const since = gw.lines.length;
    gw.child.kill('SIGHUP');
    const reloaded = await gw.waitFor((l) => l.msg === 'configuration reloaded', since);
    expect(reloaded.restartPending).toEqual(['pacing']);
    expect(gw.lines.slice(since).some((l) => l.level === 40 && /without pacing: these take effect at the next start/.test(String(l.msg)))).toBe(true);
    expect((await login('alice', 'second-secret')).success).toBe(true);
    expect((await login('alice', 'first-secret')).success).toBe(false);
    writeFileSync(configPath, config(pki, 'second-secret').replace('realms: [jaist.ac.jp]', 'realms: 5'));
    const since2 = gw.lines.length;
    gw.child.kill('SIGHUP');
    const refused = await gw.waitFor((l) => /reload refused/.test(l.msg), since2);
    expect(String(refused.error)).toContain('identity.realms');
    expect((await login('alice', 'second-secret')).success).toBe(true);
  });

  it('exports every metric the shipped dashboard and alert rules use; promtool accepts the rules', async () => {
    const text = await scrape();
    const exported = new Set([...text.matchAll(/^# HELP (\S+)/gm)].map((m) => m[1]!));
    const used = new Set<string>();
    for (const file of ['deploy/grafana/certgate-dashboard.json', 'deploy/prometheus/certgate-alerts.yml']) {
      for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/\b(certgate_[a-z_]+|process_[a-z_]+)/g)) used.add(m[1]!.replace(/_(bucket|count|sum)$/, ''));
    }
    expect([...used].filter((n) => !exported.has(n))).toEqual([]);
    const check = spawnSync('promtool', ['check', 'rules', join(ROOT, 'deploy/prometheus/certgate-alerts.yml')], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  it('never writes a secret or the admin token into a log line', () => {
    const text = gw.lines.map((l) => JSON.stringify(l)).join('\n');
    for (const s of ['first-secret', 'second-secret', TOKEN]) expect(text).not.toContain(s);
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await gw.stop('SIGTERM')).toBe(0);
  });
});

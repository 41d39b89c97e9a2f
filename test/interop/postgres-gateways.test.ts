// Two built gateways on one PostgreSQL store, with real eapol_test logins. Each gateway reaches the
// database through its own TCP proxy, which the test cuts to take the database away from it (the
// machine's PostgreSQL keeps running: other things use it). The CLI for "changes made while it was
// down" talks to the database directly, as it would from the issuing system's host.
//   - a revocation through one gateway (admin API) or the CLI is refused by the other within 1 s;
//   - with the database gone, known members still log in; /readyz stays 200 and says so; writes
//     fail with 503 / exit 3; after it returns, changes made meanwhile arrive;
//   - TLS ticket keys come from the store: a session started at one gateway resumes at the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certFacts, parseCertificates } from '../../src/verify/cert-facts.js';
import { readFileSync } from 'node:fs';
import { type GatewayProcess, type LogLine, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { eapol, requireEapolTest } from '../helpers/eapol.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { startUdpRelay } from '../helpers/udp-relay.js';

const run = requireEapolTest() && (await requirePostgres());
const TOKEN = 'admin-token-0123456789abcdef';

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(run)('two gateways on one PostgreSQL store', () => {
  let pki: TestPki;
  let db: TestDatabase;
  let proxies: TcpProxy[];
  let gws: GatewayProcess[];
  let cliConfig: string;
  let dir: string;
  const serial = (m: string) => certFacts(parseCertificates(readFileSync(pki.member(m).cert))[0]!).serial;

  function config(url: string) {
    return gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
  adminToken: ${TOKEN}
`, { store: `  url: ${url}` });
  }

  const login = (gw: GatewayProcess, member: string, args: string[] = []) => {
    const m = pki.member(member);
    return eapol({ port: gw.port, identity: `${member}@jaist.ac.jp`, caCert: pki.caCert, cert: m.cert, key: m.key, dir, timeoutSeconds: 5, args });
  };
  const lastDecision = (gw: GatewayProcess, since: number): LogLine | undefined => gw.lines.slice(since).filter((l) => l.event === 'decision').at(-1);
  // The log line may arrive a moment after the RADIUS answer: wait for it.
  const decisionAfter = async (gw: GatewayProcess, since: number): Promise<LogLine> => {
    await gw.waitFor((l) => l.event === 'decision', since, 5000);
    return lastDecision(gw, since)!;
  };
  const verify = async (gw: GatewayProcess, member: string) => {
    const r = await fetch(`http://127.0.0.1:${gw.httpPort}/v1/verify`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: readFileSync(pki.member(member).cert) });
    return ((await r.json()) as { decision: string; reason: string });
  };
  const readyz = async (gw: GatewayProcess) => {
    const r = await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`);
    return { status: r.status, body: (await r.json()) as { status: string; parts: Record<string, string> } };
  };
  const metric = async (gw: GatewayProcess, name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };

  beforeAll(async () => {
    pki = makeTestPki();
    db = await createTestDatabase();
    dir = tempDir();
    const u = new URL(db.url);
    proxies = [await startTcpProxy(u.hostname, Number(u.port || 5432)), await startTcpProxy(u.hostname, Number(u.port || 5432))];
    // The CLI on the issuing system's host: straight to the database.
    cliConfig = writeConfig(tempDir(), config(db.url));
    const add = await runCli(['store', '--config', cliConfig, 'add', pki.member('alice').cert, pki.member('bob').cert, pki.member('carol').cert]);
    expect(add.code, add.stderr).toBe(0);
    gws = [];
    for (const p of proxies) {
      const d = tempDir();
      gws.push(await startGateway(writeConfig(d, config(db.urlVia('127.0.0.1', p.port))), d));
    }
  }, 60_000);
  afterAll(async () => {
    for (const g of gws ?? []) await g.stop();
    for (const p of proxies ?? []) await p.close();
    await db?.drop();
  });

  it('both gateways serve the same store and say so in /readyz', async () => {
    for (const gw of gws) {
      const r = await readyz(gw);
      expect(r.status).toBe(200);
      expect(r.body.parts.store).toMatch(/^open, connected to postgres:\/\/.*, 3 certificates \(seq \d+\)$/);
      expect((await login(gw, 'alice')).success).toBe(true);
    }
  });

  it('a revocation through gateway 1 (admin API) is refused by gateway 2 within 1 s', async () => {
    const [gw1, gw2] = gws as [GatewayProcess, GatewayProcess];
    expect((await login(gw2, 'bob')).success).toBe(true);
    const rev = await fetch(`http://127.0.0.1:${gw1.httpPort}/v1/certificates/${serial('bob')}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ reason: 'keyCompromise' }),
    });
    expect(rev.status).toBe(200);
    const t0 = Date.now();
    await until(async () => (await verify(gw2, 'bob')).reason === 'revoked_store', 1000, 'gateway 2 to see the revocation');
    const propagation = Date.now() - t0;
    expect(propagation).toBeLessThan(1000);
    const since = gw2.lines.length;
    expect(Date.now() - t0).toBeLessThan(1000); // the login starts within the second
    expect((await login(gw2, 'bob')).success).toBe(false);
    expect(await decisionAfter(gw2, since)).toMatchObject({ result: 'reject', reason: 'revoked_store', member: 'bob@jaist.ac.jp' });
  });

  it('a revocation through the CLI is refused by both gateways within 1 s', async () => {
    const r = await runCli(['store', '--config', cliConfig, 'revoke', '--serial', serial('carol'), '--reason', 'affiliationChanged']);
    expect(r.code, r.stderr).toBe(0);
    const t0 = Date.now();
    for (const gw of gws) await until(async () => (await verify(gw, 'carol')).reason === 'revoked_store', 1000, 'the revocation to arrive');
    expect(Date.now() - t0).toBeLessThan(1000);
    for (const gw of gws) {
      const since = gw.lines.length;
      expect((await login(gw, 'carol')).success).toBe(false);
      expect(await decisionAfter(gw, since)).toMatchObject({ reason: 'revoked_store' });
    }
  });

  it('a session started at gateway 1 resumes at gateway 2 (TLS ticket keys shared through the store)', async () => {
    const [gw1, gw2] = gws as [GatewayProcess, GatewayProcess];
    const relay = await startUdpRelay(gw1.port);
    try {
      relay.switchAfterAccept(gw2.port);
      const since1 = gw1.lines.length;
      const since2 = gw2.lines.length;
      const m = pki.member('alice');
      const r = await eapol({ port: relay.port, identity: 'alice@jaist.ac.jp', caCert: pki.caCert, cert: m.cert, key: m.key, dir, args: ['-r', '1'] });
      expect(r.success, r.output.slice(-1500)).toBe(true);
      await gw2.waitFor((l) => l.event === 'decision', since2);
      expect(await decisionAfter(gw1, since1)).toMatchObject({ result: 'accept', resumed: false });
      expect(lastDecision(gw2, since2)).toMatchObject({ result: 'accept', resumed: true, tlsVersion: 'TLSv1.3' });
    } finally {
      await relay.close();
    }
  });

  it('with the database gone, known members still log in; writes fail clearly; what changed meanwhile arrives on return', async () => {
    for (const p of proxies) p.cut();
    for (const gw of gws) {
      await until(async () => (await readyz(gw)).body.parts.store!.startsWith('disconnected'), 5000, 'the gateway to notice');
      const r = await readyz(gw);
      // Still ready: logins go on from the in-memory snapshot.
      expect(r.status).toBe(200);
      expect(r.body.parts.store).toMatch(/^disconnected, serving snapshot of 3 certificates since \d{4}-\d\d-\d\dT.*Z \(seq \d+\); .*reconnect attempt \d+ at /);
      expect(await metric(gw, 'certgate_store_connected')).toBe(0);
      expect(await metric(gw, 'certgate_store_disconnected_seconds')).toBeGreaterThanOrEqual(0);
      const since = gw.lines.length;
      expect((await login(gw, 'alice')).success).toBe(true);
      expect(await decisionAfter(gw, since)).toMatchObject({ result: 'accept', member: 'alice@jaist.ac.jp' });
      expect((await login(gw, 'bob')).success).toBe(false); // revoked before the outage: still refused
    }
    const [gw1] = gws as [GatewayProcess];
    // Writes through a gateway: 503 with the reason, nothing written.
    const rev = await fetch(`http://127.0.0.1:${gw1.httpPort}/v1/certificates/${serial('alice')}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{}' });
    expect(rev.status).toBe(503);
    expect(await rev.json()).toMatchObject({ error: 'store_unavailable', message: expect.stringMatching(/unreachable.*nothing was written/) });
    // The CLI on a host that cannot reach the database either: exit 3 and says so.
    const cut = await gw1.cli('store', 'add', pki.member('eve').cert);
    expect(cut.code).toBe(3);
    expect(cut.stderr).toMatch(/certificate store postgres:\/\/.* is unreachable/);

    // Meanwhile, on the issuing system's host (which still reaches the database):
    expect((await runCli(['store', '--config', cliConfig, 'add', pki.member('eve').cert])).code).toBe(0);
    expect((await runCli(['store', '--config', cliConfig, 'revoke', '--serial', serial('alice'), '--reason', 'keyCompromise'])).code).toBe(0);
    expect((await login(gws[1]!, 'eve')).success).toBe(false); // not known yet: the snapshot predates it

    for (const p of proxies) p.restore();
    for (const gw of gws) {
      await until(async () => (await readyz(gw)).body.parts.store!.startsWith('open, connected'), 15_000, 'the reconnect');
      await until(async () => (await verify(gw, 'alice')).reason === 'revoked_store', 2000, 'the resync');
      expect(await metric(gw, 'certgate_store_connected')).toBe(1);
      expect(await metric(gw, 'certgate_store_reconnects_total')).toBeGreaterThanOrEqual(1);
      expect((await login(gw, 'eve')).success).toBe(true);
      expect((await login(gw, 'alice')).success).toBe(false);
      expect(gw.lines.some((l) => l.msg === 'store connection lost: serving logins from the in-memory snapshot')).toBe(true);
      expect(gw.lines.some((l) => l.msg === 'store connection back: resynchronising')).toBe(true);
    }
  }, 60_000);
});

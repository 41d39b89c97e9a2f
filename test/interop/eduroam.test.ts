// eduroam against real programs: FreeRADIUS 3.2 as the home server of another realm (UDP and
// RadSec), eapol_test as visitor and member, radclient as the accounting NAS. The gateway runs
// as the built binary (rebuild dist/ first).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { type GatewayProcess, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { eapol, requireEapolTest } from '../helpers/eapol.js';
import { requireProgram } from '../helpers/programs.js';
import { radclient } from '../helpers/radclient.js';
import { type HomeServer, freePort, startHomeServer } from '../helpers/freeradius-home.js';

const run = requireEapolTest() && requireProgram('radclient', 'freeradius-utils') && requireProgram('freeradius', 'freeradius');
const HOME_SECRET = 'home-secret-example';

/** The Chargeable-User-Identity in the Access-Accept eapol_test received, or null. */
function acceptCui(output: string): string | null {
  const at = output.lastIndexOf('(Access-Accept)');
  if (at < 0) return null;
  const accept = output.slice(at).split(/RADIUS message: code=/)[0]!;
  const m = /Attribute 89 \(Chargeable-User-Identity\) length=\d+\s+Value: '([^']*)'/.exec(accept);
  return m ? m[1]! : null;
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe.runIf(run)('eduroam: proxying, RadSec, CUI, accounting, F-Ticks', () => {
  let pki: TestPki;
  let dir: string;
  let home: HomeServer;
  let gw: GatewayProcess;
  let configPath: string;
  let deadPort: number;
  let homePort: number;
  let radsecPort: number;
  let acctPort: number;

  beforeAll(async () => {
    pki = makeTestPki();
    dir = tempDir('certgate-eduroam-');
    [deadPort, homePort, radsecPort] = [await freePort(), await freePort(), await freePort()];
    // Our RadSec client certificate, from the test CA (FreeRADIUS requires and verifies it).
    const key = join(dir, 'radsec-client.key');
    const cert = join(dir, 'radsec-client.pem');
    execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', '/C=JP/O=JAIST/CN=certgate radsec client', '-out', join(dir, 'radsec.csr')], { stdio: 'pipe' });
    writeFileSync(join(dir, 'radsec.ext'), 'basicConstraints = CA:FALSE\nextendedKeyUsage = clientAuth\nsubjectAltName = DNS:certgate.jaist.ac.jp\n');
    execFileSync('openssl', ['x509', '-req', '-in', join(dir, 'radsec.csr'), '-CA', pki.caCert, '-CAkey', pki.caKey, '-set_serial', '0x7e57', '-days', '30', '-sha256', '-extfile', join(dir, 'radsec.ext'), '-out', cert], { stdio: 'pipe' });

    // Visitors of example.ac.jp hold certificates of the Other University CA (mallory's issuer).
    home = await startHomeServer({
      dir: join(dir, 'freeradius'),
      port: homePort,
      secret: HOME_SECRET,
      serverCert: pki.serverCert,
      serverKey: pki.serverKey,
      clientCa: pki.otherCaCert,
      radsec: { port: radsecPort, clientCa: pki.caCert },
    });

    configPath = writeConfig(
      dir,
      gatewayYaml(pki, `proxy:
  timeoutMs: 800
  tries: 2
  probeIntervalSeconds: 1
  realms:
    - realm: example.ac.jp
      servers: ["127.0.0.1:${deadPort}", "127.0.0.1:${homePort}"]
      secret: ${HOME_SECRET}
    - realm: radsec.example.jp
      servers:
        - address: "127.0.0.1:${radsecPort}"
          radsec: { certificate: ${cert}, privateKey: ${key}, ca: ${pki.caCert}, serverName: radius.demo.jaist.ac.jp }
accounting:
  log: accounting.jsonl
fticks:
  enabled: true
  visCountry: JP
  file: fticks.log
http:
  listen: "127.0.0.1:0"
`, { radius: `  listen: ["127.0.0.1:0"]
  accountingListen: ["127.0.0.1:0"]
  clients:
    - { name: lo, network: 127.0.0.0/8, secret: testing123 }` }),
    );
    const add = await runCli(['store', '--config', configPath, 'add', pki.member('alice').cert, pki.member('bob').cert]);
    expect(add.code, add.stderr).toBe(0);
    gw = await startGateway(configPath, dir);
    acctPort = Number(((await gw.waitFor((l) => l.msg === 'certgate ready')).accounting as string[])[0]!.split(':')[1]);
  }, 90_000);

  afterAll(async () => {
    await gw?.stop();
    await home?.stop();
  });

  const scrape = async () => (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();

  async function login(member: string, identity: string, args: string[] = []) {
    const since = gw.lines.length;
    const m = pki.member(member);
    const r = await eapol({ port: gw.port, identity, caCert: pki.caCert, cert: m.cert, key: m.key, dir, args });
    const decision = await gw.waitFor((l) => l.event === 'decision' && l.outerIdentity === identity, since);
    return { ...r, decision, cui: acceptCui(r.output) };
  }

  it("proxies a visitor's EAP-TLS login end to end, failing over from a dead first server (MPPE keys re-encrypted)", async () => {
    const r = await login('mallory', 'mallory@example.ac.jp');
    expect(r.success, r.output.slice(-3000) + home.log()).toBe(true);
    expect(r.mppeOk).toBe(true);
    expect(r.decision).toMatchObject({ result: 'accept', reason: 'proxied', proxied: true, upstream: `127.0.0.1:${homePort}`, realm: 'example.ac.jp', userName: 'mallory@example.ac.jp' });
    const m = await scrape();
    expect(metric(m, `certgate_proxy_requests_total{realm_route="example.ac.jp",server="127.0.0.1:${deadPort}",result="timeout"}`)).toBe(1);
    expect(metric(m, `certgate_proxy_requests_total{realm_route="example.ac.jp",server="127.0.0.1:${homePort}",result="accept"}`)).toBe(1);
    expect(metric(m, `certgate_proxy_server_up{server="127.0.0.1:${deadPort}"}`)).toBe(0);
    expect(metric(m, `certgate_proxy_server_up{server="127.0.0.1:${homePort}"}`)).toBe(1);
    expect(metric(m, 'certgate_proxy_outstanding')).toBe(0);
    expect(metric(m, 'certgate_proxy_conversations')).toBe(0);
  });

  it('skips the dead server for the next visitor, and relays the home server\'s reject as such', async () => {
    const ok = await login('mallory', 'anonymous@example.ac.jp', ['-N89:x:00']);
    expect(ok.success).toBe(true);
    expect(ok.mppeOk).toBe(true);
    // The CUI request went to the home server (FreeRADIUS here sends none back): we add nothing of ours.
    expect(ok.cui).toBeNull();
    // alice's certificate is not trusted by example.ac.jp's server: its Access-Reject comes back through us.
    const no = await login('alice', 'alice@example.ac.jp');
    expect(no.success).toBe(false);
    expect(no.decision).toMatchObject({ result: 'reject', reason: 'proxied', proxied: true, upstream: `127.0.0.1:${homePort}` });
    const m = await scrape();
    expect(metric(m, `certgate_proxy_requests_total{realm_route="example.ac.jp",server="127.0.0.1:${deadPort}",result="timeout"}`)).toBe(1);
  });

  it('carries a proxied login over RadSec (RADIUS over TLS, mutual certificates)', async () => {
    const r = await login('mallory', 'mallory@radsec.example.jp');
    expect(r.success, r.output.slice(-3000) + home.log()).toBe(true);
    expect(r.mppeOk).toBe(true);
    expect(r.decision).toMatchObject({ result: 'accept', proxied: true, upstream: `radsec:127.0.0.1:${radsecPort}` });
    const m = await scrape();
    expect(metric(m, `certgate_proxy_requests_total{realm_route="radsec.example.jp",server="radsec:127.0.0.1:${radsecPort}",result="accept"}`)).toBe(1);
  });

  it('refuses missing and malformed realms locally, never forwarding them', async () => {
    const before = await scrape();
    for (const identity of ['mallory', 'mallory@', 'mallory@bad_realm.jp']) {
      const r = await login('mallory', identity);
      expect(r.success).toBe(false);
      expect(r.decision).toMatchObject({ result: 'reject', reason: 'realm' });
      expect(String(r.decision.detail)).toContain('not forwarded');
    }
    const after = await scrape();
    const proxied = (t: string) => t.split('\n').filter((l) => l.startsWith('certgate_proxy_requests_total')).map((l) => Number(l.split(' ').pop())).reduce((a, b) => a + b, 0);
    expect(proxied(after)).toBe(proxied(before));
  });

  let firstCui: string;
  it('gives members a CUI when asked: opaque, stable across logins, logged; none when not asked', async () => {
    const a = await login('alice', 'alice@jaist.ac.jp', ['-N89:x:00']);
    expect(a.success).toBe(true);
    expect(a.cui).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.cui).not.toContain('alice');
    expect(a.decision).toMatchObject({ result: 'accept', member: 'alice@jaist.ac.jp', cui: a.cui });
    const again = await login('alice', 'anonymous@jaist.ac.jp', ['-N89:x:00']);
    expect(again.cui).toBe(a.cui);
    const bob = await login('bob', 'bob@jaist.ac.jp', ['-N89:x:00']);
    expect(bob.cui).not.toBe(a.cui);
    const none = await login('alice', 'alice@jaist.ac.jp');
    expect(none.success).toBe(true);
    expect(none.cui).toBeNull();
    expect(none.output).not.toMatch(/Attribute 89/);
    expect(none.decision.cui).toBeUndefined();
    firstCui = a.cui!;
  });

  it('answers and records accounting (radclient), never forwarding it', async () => {
    const attrs = [
      'Acct-Status-Type = Start',
      'Acct-Session-Id = "sess-0001"',
      'User-Name = "alice@jaist.ac.jp"',
      'Calling-Station-Id = "02-00-00-00-00-01"',
      'NAS-IP-Address = 127.0.0.1',
      'Class = 0x636c617373',
      'Event-Timestamp = 1700000000',
    ].join('\n');
    const r = await radclient(`127.0.0.1:${acctPort}`, 'acct', 'testing123', `${attrs}\n`);
    expect(r.output).toContain('Received Accounting-Response');
    const stop = await radclient(`127.0.0.1:${acctPort}`, 'acct', 'testing123', `${attrs.replace('Start', 'Stop')}\nAcct-Session-Time = 60\nAcct-Input-Octets = 1000\nAcct-Terminate-Cause = User-Request\n`);
    expect(stop.output).toContain('Received Accounting-Response');
    const wrong = await radclient(`127.0.0.1:${acctPort}`, 'acct', 'not-the-secret', `${attrs}\n`);
    expect(wrong.output).not.toContain('Received Accounting-Response');
    const status = await radclient(`127.0.0.1:${acctPort}`, 'status', 'testing123', 'Message-Authenticator = 0x00\n');
    expect(status.output).toContain('Received Accounting-Response');
    const lines = readFileSync(join(dir, 'accounting.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ event: 'accounting', statusType: 'Start', sessionId: 'sess-0001', userName: 'alice@jaist.ac.jp', callingStationId: '02-00-00-00-00-01', nasIpAddress: '127.0.0.1', class: ['636c617373'], eventTime: '2023-11-14T22:13:20.000Z', client: 'lo' });
    expect(lines[1]).toMatchObject({ statusType: 'Stop', sessionSeconds: 60, inputOctets: 1000, terminateCause: 'User-Request' });
    const m = await scrape();
    expect(metric(m, 'certgate_accounting_requests_total{status_type="start"}')).toBe(1);
    expect(metric(m, 'certgate_accounting_requests_total{status_type="stop"}')).toBe(1);
    // Nothing went to the home server: accounting is not proxied.
    expect(home.log()).not.toMatch(/Accounting-Request/);
  });

  it('writes one F-Ticks line per login, station ids hashed', () => {
    const lines = readFileSync(join(dir, 'fticks.log'), 'utf8').trim().split('\n');
    expect(lines.some((l) => /certgate: F-TICKS\/eduroam\/1\.0#REALM=example\.ac\.jp#VISCOUNTRY=JP#VISINST=1jaist\.ac\.jp#CSI=[0-9a-f]{64}#RESULT=OK#$/.test(l))).toBe(true);
    expect(lines.some((l) => l.endsWith('#REALM=radsec.example.jp#VISCOUNTRY=JP#VISINST=1jaist.ac.jp#CSI=' + l.split('CSI=')[1]!.split('#')[0] + '#RESULT=OK#'))).toBe(true);
    expect(lines.some((l) => l.includes('#REALM=jaist.ac.jp#') && l.endsWith('#RESULT=OK#'))).toBe(true);
    expect(lines.filter((l) => l.endsWith('#RESULT=FAIL#')).length).toBeGreaterThanOrEqual(4);
    expect(lines.join('\n')).not.toContain('02-00-00-00-00-01');
  });

  it('keeps the CUI across a gateway restart (the generated key persists next to the store)', async () => {
    expect(existsSync(join(dir, 'store.db.cui-key'))).toBe(true);
    expect(await gw.stop('SIGTERM')).toBe(0);
    gw = await startGateway(configPath, dir);
    const r = await login('alice', 'alice@jaist.ac.jp', ['-N89:x:00']);
    expect(r.success).toBe(true);
    expect(r.cui).toBe(firstCui);
  });

  it('never logs the shared secrets or the CUI key', () => {
    const text = gw.lines.map((l) => JSON.stringify(l)).join('\n');
    const key = readFileSync(join(dir, 'store.db.cui-key'), 'utf8').trim();
    for (const s of ['testing123', HOME_SECRET, key]) expect(text).not.toContain(s);
  });
});

// Authorization policy, live sessions and RFC 5176 Disconnect against the built gateway: eapol_test
// logins get the VLAN of their rule (read from eapol_test's dump of the Access-Accept), and the test
// plays the NAS on loopback: accounting Start, then a revocation through the CLI, and a
// Disconnect-Request arrives (Request Authenticator and Message-Authenticator checked here, by
// hand) within 3 s. One NAS answers ACK, one NAK with Error-Cause 503, one never answers.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eapol, requireEapolTest } from '../helpers/eapol.js';
import { type GatewayProcess, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { fakeNas } from '../helpers/fake-nas.js';
import { Attr, Code, getString } from '../../src/radius/packet.js';
import { decodePacket } from '../../src/radius/parser.js';
import { encodeComputedRequest } from '../../src/radius/reply.js';
import { attr } from '../../src/radius/serializer.js';

const run = requireEapolTest();
const TOKEN = 'admin-token-0123456789abcdef';
const SECRETS = { a: 'secret-nas-a', b: 'secret-nas-b', c: 'secret-nas-c', vpn: 'secret-vpn' };

/** The attributes of the Access-Accept as eapol_test dumps them ("Attribute 64 (Tunnel-Type) length=6 / Value: 0000000d"). */
function acceptAttributes(output: string): { type: number; name: string; value: string }[] {
  const start = output.indexOf('(Access-Accept)');
  if (start < 0) return [];
  const out: { type: number; name: string; value: string }[] = [];
  const re = /^ {3}Attribute (\d+) \(([^)]*)\) length=\d+\n {6}Value: (.*)$/gm;
  const section = output.slice(start, output.indexOf('\n', output.indexOf('RADIUS packet matching with station', start)));
  for (const m of section.matchAll(re)) out.push({ type: Number(m[1]), name: m[2]!, value: m[3]!.replace(/^'|'$/g, '') });
  return out;
}

describe.runIf(run)('policy, live sessions and Disconnect (RFC 5176) with eapol_test and a NAS on loopback', () => {
  let pki: TestPki;
  let gw: GatewayProcess;
  let dir: string;
  let configPath: string;
  let accountingPort: number;
  let nasA: Awaited<ReturnType<typeof fakeNas>>;
  let nasB: Awaited<ReturnType<typeof fakeNas>>;
  let nasC: Awaited<ReturnType<typeof fakeNas>>;
  const tokens: Record<string, string> = {};
  const serials: Record<string, string> = {};
  const api = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${gw.httpPort}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) } });

  beforeAll(async () => {
    pki = makeTestPki();
    dir = tempDir();
    [nasA, nasB, nasC] = await Promise.all([fakeNas(SECRETS.a, 'ack'), fakeNas(SECRETS.b, 'nak503'), fakeNas(SECRETS.c, 'silent')]);
    configPath = writeConfig(
      dir,
      gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
  adminToken: ${TOKEN}
policy:
  - name: no-students-on-vpn
    match: { ou: student, client: vpn }
    reply: { reject: true }
  - name: staff
    match: { ou: staff }
    reply: { vlan: "20", sessionTimeout: 28800 }
  - name: students
    match: { ou: student }
    reply: { vlan: "10", sessionTimeout: 28800, class: "student" }
disconnect: { attempts: 3, timeoutMs: 300 }
`, { radius: `  listen: ["127.0.0.1:0"]
  accountingListen: ["127.0.0.1:0"]
  clients:
    - { name: nas-a, network: 127.0.0.1, secret: ${SECRETS.a}, coaPort: ${nasA.port} }
    - { name: nas-b, network: 127.0.0.2, secret: ${SECRETS.b}, coaPort: ${nasB.port}, coaAddress: 127.0.0.1 }
    - { name: nas-c, network: 127.0.0.3, secret: ${SECRETS.c}, coaPort: ${nasC.port}, coaAddress: 127.0.0.1 }
    - { name: vpn, network: 127.0.0.4, secret: ${SECRETS.vpn} }` }),
    );
    const add = await runCli(['store', '--config', configPath, 'add', ...['alice', 'bob', 'carol'].map((m) => pki.member(m).cert)]);
    expect(add.code, add.stderr).toBe(0);
    gw = await startGateway(configPath, dir);
    const ready = await gw.waitFor((l) => l.msg === 'certgate ready');
    accountingPort = Number((ready.accounting as string[])[0]!.split(':').pop());
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    for (const n of [nasA, nasB, nasC]) n?.close();
  });

  async function login(member: string, opts: { client?: 'a' | 'vpn'; mac: string }) {
    const since = gw.lines.length;
    const m = pki.member(member);
    const identity = `${member}@jaist.ac.jp`;
    const client = opts.client ?? 'a';
    const r = await eapol({
      port: gw.port,
      secret: SECRETS[client],
      identity,
      caCert: pki.caCert,
      cert: m.cert,
      key: m.key,
      dir,
      args: ['-M', opts.mac, ...(client === 'vpn' ? ['-A', '127.0.0.4'] : [])],
    });
    const decision = await gw.waitFor((l) => l.event === 'decision' && l.outerIdentity === identity, since);
    return { ...r, decision, attributes: acceptAttributes(r.output) };
  }

  /** An Accounting-Request from a NAS address (127.0.0.x), answered by the accounting listener. */
  async function accounting(from: string, secret: string, fields: { status: number; sessionId: string; userName: string; mac: string; nasId: string; classHex?: string }) {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, from, () => r()));
    const packet = encodeComputedRequest({
      code: Code.AccountingRequest,
      identifier: Math.floor(Math.random() * 256),
      secret: Buffer.from(secret),
      messageAuthenticator: false,
      attributes: [
        attr(Attr.AcctStatusType, fields.status),
        attr(Attr.AcctSessionId, fields.sessionId),
        attr(Attr.UserName, fields.userName),
        attr(Attr.CallingStationId, fields.mac),
        attr(Attr.NasIdentifier, fields.nasId),
        attr(Attr.NasIpAddress, Buffer.from(from.split('.').map(Number))),
        ...(fields.classHex ? [attr(Attr.Class, Buffer.from(fields.classHex, 'hex'))] : []),
      ],
    });
    const answer = new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no Accounting-Response')), 3000);
      socket.once('message', (m) => (clearTimeout(t), resolve(m)));
    });
    socket.send(packet, accountingPort, '127.0.0.1');
    const reply = await answer.finally(() => socket.close());
    expect(reply[0]).toBe(Code.AccountingResponse);
  }

  const sessionsOf = async (member: string) => ((await (await api(`/v1/sessions?member=${encodeURIComponent(member)}`)).json()) as { sessions: { id: string; acctSessionId: string; client: string; boundBy: string; serial: string }[] }).sessions;

  it('gives staff and students the VLAN attributes their rule names (eapol_test reads them in the Access-Accept)', async () => {
    const bob = await login('bob', { mac: '02:00:00:00:00:0b' });
    expect(bob.success, bob.output.slice(-2000)).toBe(true);
    expect(bob.mppeOk).toBe(true);
    const b = Object.fromEntries(bob.attributes.map((a) => [a.name, a.value]));
    expect(b).toMatchObject({ 'Tunnel-Type': '0000000d', 'Tunnel-Medium-Type': '00000006', 'Tunnel-Private-Group-Id': Buffer.from('20').toString('hex'), 'Session-Timeout': '28800', 'User-Name': 'bob@jaist.ac.jp' });
    expect(bob.decision).toMatchObject({ result: 'accept', rule: { index: 1, name: 'staff' } });

    const alice = await login('alice', { mac: '02:00:00:00:00:0a' });
    expect(alice.success).toBe(true);
    const a = Object.fromEntries(alice.attributes.map((x) => [x.name, x.value]));
    expect(a).toMatchObject({ 'Tunnel-Type': '0000000d', 'Tunnel-Medium-Type': '00000006', 'Tunnel-Private-Group-Id': Buffer.from('10').toString('hex'), 'Session-Timeout': '28800' });
    // Two Class attributes: the rule's "student" and certgate's own session token.
    const classes = alice.attributes.filter((x) => x.name === 'Class').map((x) => x.value);
    expect(classes).toContain(Buffer.from('student').toString('hex'));
    expect(classes.some((c) => Buffer.from(c, 'hex').toString().startsWith('cg1:'))).toBe(true);
    expect(alice.decision).toMatchObject({ result: 'accept', rule: { index: 2, name: 'students' } });

    for (const [member, r] of [['bob', bob], ['alice', alice]] as const) {
      tokens[member] = r.attributes.find((x) => x.name === 'Class' && Buffer.from(x.value, 'hex').toString().startsWith('cg1:'))!.value;
      serials[member] = r.decision.serial as string;
    }
  });

  it('turns an accept into a reject with reason policy where a rule says reject', async () => {
    const vpn = await login('carol', { client: 'vpn', mac: '02:00:00:00:00:0c' });
    expect(vpn.success).toBe(false);
    expect(vpn.decision).toMatchObject({ result: 'reject', reason: 'policy', member: 'carol@jaist.ac.jp', rule: { index: 0, name: 'no-students-on-vpn' } });
    const wifi = await login('carol', { mac: '02:00:00:00:00:0c' });
    expect(wifi.success).toBe(true);
    expect(wifi.decision).toMatchObject({ result: 'accept', rule: { name: 'students' } });
    tokens.carol = wifi.attributes.find((x) => x.name === 'Class' && Buffer.from(x.value, 'hex').toString().startsWith('cg1:'))!.value;
    serials.carol = wifi.decision.serial as string;
  });

  it('tracks live sessions from accounting Start, by Class token or by the member current certificate', async () => {
    await accounting('127.0.0.1', SECRETS.a, { status: 1, sessionId: 'BOB-1', userName: 'bob@jaist.ac.jp', mac: '02-00-00-00-00-0B', nasId: 'ap-a', classHex: tokens.bob });
    await accounting('127.0.0.1', SECRETS.a, { status: 1, sessionId: 'ALICE-A', userName: 'alice@jaist.ac.jp', mac: '02-00-00-00-00-0A', nasId: 'ap-a', classHex: tokens.alice });
    await accounting('127.0.0.2', SECRETS.b, { status: 1, sessionId: 'ALICE-B', userName: 'alice@jaist.ac.jp', mac: '02-00-00-00-00-0A', nasId: 'ap-b' });
    await accounting('127.0.0.3', SECRETS.c, { status: 1, sessionId: 'CAROL-C', userName: 'carol@jaist.ac.jp', mac: '02-00-00-00-00-0C', nasId: 'ap-c', classHex: tokens.carol });
    expect(await sessionsOf('bob@jaist.ac.jp')).toMatchObject([{ acctSessionId: 'BOB-1', client: 'nas-a', boundBy: 'class', serial: serials.bob }]);
    const alice = await sessionsOf('alice@jaist.ac.jp');
    expect(alice.map((s) => `${s.acctSessionId}:${s.boundBy}`).sort()).toEqual(['ALICE-A:class', 'ALICE-B:current_certificate']);
    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^certgate_sessions_active 4$/m);
  });

  it('refuses bad disconnect requests on the admin API with a 4xx and a reason', async () => {
    expect((await fetch(`http://127.0.0.1:${gw.httpPort}/v1/sessions`)).status).toBe(401);
    const post = (body: string) => api('/v1/sessions/disconnect', { method: 'POST', body });
    expect(await (await post('{not json')).json()).toMatchObject({ error: 'bad_json' });
    expect(await (await post('{}')).json()).toMatchObject({ error: 'bad_request' });
    expect(await (await post('{"member": "a@b", "id": "x"}')).json()).toMatchObject({ error: 'bad_request' });
    const none = await post('{"member": "nobody@jaist.ac.jp"}');
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: 'no_sessions' });
    expect((await api('/v1/sessions', { method: 'DELETE' })).status).toBe(405);
  });

  it('lists and disconnects by hand with the CLI (through the admin API)', async () => {
    const url = `http://127.0.0.1:${gw.httpPort}`;
    const list = await runCli(['sessions', '--config', configPath, 'list', '--member', 'alice@jaist.ac.jp', '--json', '--url', url]);
    expect(list.code, list.stderr).toBe(0);
    const sessions = JSON.parse(list.stdout) as { id: string; acctSessionId: string }[];
    expect(sessions.length).toBe(2);
    const target = sessions.find((s) => s.acctSessionId === 'ALICE-A')!;
    const before = nasA.received.length;
    const out = await runCli(['sessions', '--config', configPath, 'disconnect', '--id', target.id, '--url', url]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('ALICE-A');
    expect(out.stdout).toContain('ack');
    const req = decodePacket(nasA.received[before]!.raw);
    expect(req.ok && getString(req.packet, Attr.AcctSessionId)).toBe('ALICE-A');
    expect((await sessionsOf('alice@jaist.ac.jp')).map((s) => s.acctSessionId)).toEqual(['ALICE-B']);
    const table = await runCli(['sessions', '--config', configPath, 'list', '--url', url]);
    expect(table.stdout).toMatch(/^ID\s+MEMBER/);
    expect(table.stdout).toContain('CAROL-C');
  });

  async function revoke(member: string) {
    const t0 = Date.now();
    const r = await runCli(['store', '--config', configPath, 'revoke', '--serial', serials[member]!, '--reason', 'keyCompromise']);
    expect(r.code, r.stderr).toBe(0);
    return t0;
  }

  function expectValidRequest(r: Received, t0: number, fields: { userName: string; acctSessionId: string; mac: string; nasId: string }) {
    expect(r.at - t0).toBeLessThan(3000);
    expect(r.raw[0]).toBe(Code.DisconnectRequest);
    expect(r.authenticatorOk).toBe(true);
    expect(r.messageAuthenticatorOk).toBe(true);
    const d = decodePacket(r.raw);
    if (!d.ok) throw new Error('undecodable Disconnect-Request');
    expect(d.packet.attributes[0]!.type).toBe(Attr.MessageAuthenticator);
    expect(getString(d.packet, Attr.UserName)).toBe(fields.userName);
    expect(getString(d.packet, Attr.AcctSessionId)).toBe(fields.acctSessionId);
    expect(getString(d.packet, Attr.CallingStationId)).toBe(fields.mac);
    expect(getString(d.packet, Attr.NasIdentifier)).toBe(fields.nasId);
  }

  it('a revocation through the CLI sends a valid Disconnect-Request within 3 s; the ACK ends the session', async () => {
    const n = nasA.received.length;
    const since = gw.lines.length;
    const t0 = await revoke('bob');
    const req = await nasA.nth(n + 1);
    expectValidRequest(req, t0, { userName: 'bob@jaist.ac.jp', acctSessionId: 'BOB-1', mac: '02-00-00-00-00-0B', nasId: 'ap-a' });
    const logged = await gw.waitFor((l) => l.event === 'disconnect' && l.member === 'bob@jaist.ac.jp', since);
    expect(logged).toMatchObject({ trigger: 'revoked', outcome: 'ack', attempts: 1, acctSessionId: 'BOB-1', client: 'nas-a' });
    expect(await sessionsOf('bob@jaist.ac.jp')).toEqual([]);
  });

  it('a Disconnect-NAK is logged with its Error-Cause (503 Session Context Not Found)', async () => {
    const since = gw.lines.length;
    const t0 = await revoke('alice');
    const req = await nasB.nth(1);
    expectValidRequest(req, t0, { userName: 'alice@jaist.ac.jp', acctSessionId: 'ALICE-B', mac: '02-00-00-00-00-0A', nasId: 'ap-b' });
    const logged = await gw.waitFor((l) => l.event === 'disconnect' && l.member === 'alice@jaist.ac.jp', since);
    expect(logged).toMatchObject({ level: 40, trigger: 'revoked', outcome: 'nak', errorCause: 503, errorCauseName: 'Session Context Not Found' });
    expect(logged.msg).toContain('Error-Cause 503');
  });

  it('a silent NAS gets the retries (same packet, growing waits), then is logged as no answer', async () => {
    const since = gw.lines.length;
    const t0 = await revoke('carol');
    const first = await nasC.nth(1);
    expectValidRequest(first, t0, { userName: 'carol@jaist.ac.jp', acctSessionId: 'CAROL-C', mac: '02-00-00-00-00-0C', nasId: 'ap-c' });
    const logged = await gw.waitFor((l) => l.event === 'disconnect' && l.member === 'carol@jaist.ac.jp', since, 10_000);
    expect(logged).toMatchObject({ level: 40, outcome: 'no_answer', attempts: 3, msg: 'disconnect: no answer from the NAS after 3 attempts' });
    expect(nasC.received.length).toBe(3);
    expect(nasC.received.every((r) => r.raw.equals(first.raw))).toBe(true);
    const [a, b, c] = nasC.received.map((r) => r.at);
    expect(c! - b!).toBeGreaterThan(b! - a!);
    // Still listed: the NAS never said it ended.
    expect((await sessionsOf('carol@jaist.ac.jp')).map((s) => s.acctSessionId)).toEqual(['CAROL-C']);
  });

  it('keeps live sessions across a restart, and disconnects at start those revoked meanwhile', async () => {
    expect(await gw.stop()).toBe(0);
    const before = nasC.received.length;
    gw = await startGateway(configPath, dir);
    expect(gw.lines.find((l) => l.msg === 'live sessions loaded')).toMatchObject({ sessions: 1 });
    expect((await sessionsOf('carol@jaist.ac.jp')).map((s) => s.acctSessionId)).toEqual(['CAROL-C']);
    // carol's certificate is revoked: the kept session is out of force, so it is asked to end again.
    const again = await nasC.nth(before + 1);
    expect(again.authenticatorOk && again.messageAuthenticatorOk).toBe(true);
    const logged = await gw.waitFor((l) => l.event === 'disconnect' && l.member === 'carol@jaist.ac.jp', 0, 10_000);
    expect(logged).toMatchObject({ trigger: 'not_in_force', outcome: 'no_answer' });
  });

  it('never logs a shared secret', () => {
    const text = gw.lines.map((l) => JSON.stringify(l)).join('\n');
    for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
  });
});

// Disconnect on a CRL revocation against the built gateway: the test plays the NAS on loopback
// (accounting Start for two members), then `openssl ca -revoke` + `-gencrl` re-issues the CRL and
// renames it over the configured file; the NAS receives a Disconnect-Request for the revoked
// member's session only (Request Authenticator and Message-Authenticator checked here, by hand),
// logged with trigger revoked_crl, and its ACK ends the session. A fresh demo PKI: this file
// revokes in its CA database.
import dgram from 'node:dgram';
import { copyFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { fakeNas } from '../helpers/fake-nas.js';
import { requireProgram } from '../helpers/programs.js';
import { genCrl, revokeMember } from '../helpers/revocation-pki.js';
import { Attr, Code, getString } from '../../src/radius/packet.js';
import { decodePacket } from '../../src/radius/parser.js';
import { encodeComputedRequest } from '../../src/radius/reply.js';
import { attr } from '../../src/radius/serializer.js';

const run = requireProgram('openssl', 'openssl');
const TOKEN = 'admin-token-0123456789abcdef';
const SECRET = 'secret-nas-crl';

describe.runIf(run)('Disconnect on a CRL revocation (openssl ca re-issues the CRL, a NAS on loopback)', () => {
  let pki: TestPki;
  let gw: GatewayProcess;
  let dir: string;
  let crlFile: string;
  let accountingPort: number;
  let nas: Awaited<ReturnType<typeof fakeNas>>;
  const api = (path: string) => fetch(`http://127.0.0.1:${gw.httpPort}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const sessionsOf = async (member: string) => ((await (await api(`/v1/sessions?member=${encodeURIComponent(member)}`)).json()) as { sessions: { acctSessionId: string }[] }).sessions;

  beforeAll(async () => {
    pki = makeTestPki({ fresh: true });
    dir = tempDir('certgate-crl-disconnect-');
    crlFile = join(dir, 'demo-ca.crl.pem');
    copyFileSync(pki.crl, crlFile);
    nas = await fakeNas(SECRET, 'ack');
    const configPath = writeConfig(
      dir,
      gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
  adminToken: ${TOKEN}
disconnect: { attempts: 3, timeoutMs: 300 }
revocation:
  crls:
    - file: ${crlFile}
`, { radius: `  listen: ["127.0.0.1:0"]
  accountingListen: ["127.0.0.1:0"]
  clients:
    - { name: nas-a, network: 127.0.0.1, secret: ${SECRET}, coaPort: ${nas.port} }`, tls: `  workers: 0` }),
    );
    const add = await runCli(['store', '--config', configPath, 'add', pki.member('alice').cert, pki.member('bob').cert]);
    expect(add.code, add.stderr).toBe(0);
    gw = await startGateway(configPath, dir);
    const ready = await gw.waitFor((l) => l.msg === 'certgate ready');
    accountingPort = Number((ready.accounting as string[])[0]!.split(':').pop());
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    nas?.close();
  });

  /** Accounting Start without Class: the session binds to the member's current certificate. */
  async function start(member: string, sessionId: string, mac: string) {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const packet = encodeComputedRequest({
      code: Code.AccountingRequest,
      identifier: Math.floor(Math.random() * 256),
      secret: Buffer.from(SECRET),
      messageAuthenticator: false,
      attributes: [
        attr(Attr.AcctStatusType, 1),
        attr(Attr.AcctSessionId, sessionId),
        attr(Attr.UserName, member),
        attr(Attr.CallingStationId, mac),
        attr(Attr.NasIdentifier, 'ap-a'),
        attr(Attr.NasIpAddress, Buffer.from([127, 0, 0, 1])),
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

  it('a re-issued CRL revoking a member sends a valid Disconnect-Request for its live session within 1 s of the CRL in force; the ACK ends it', async () => {
    await start('alice@jaist.ac.jp', 'ALICE-1', '02-00-00-00-00-0A');
    await start('bob@jaist.ac.jp', 'BOB-1', '02-00-00-00-00-0B');
    expect((await sessionsOf('bob@jaist.ac.jp')).map((s) => s.acctSessionId)).toEqual(['BOB-1']);
    expect(nas.received.length).toBe(0);

    revokeMember(pki, pki.member('bob').cert);
    const next = join(dir, 'demo-ca.crl.new');
    genCrl(pki, next);
    const since = gw.lines.length;
    const t0 = Date.now();
    renameSync(next, crlFile);
    const req = await nas.nth(1);
    const took = req.at - t0;
    // The watcher notices the rename (fs.watch + 150 ms settle; a 1 s poll where fs.watch is silent).
    expect(took).toBeLessThan(3000);

    expect(req.raw[0]).toBe(Code.DisconnectRequest);
    expect(req.authenticatorOk).toBe(true);
    expect(req.messageAuthenticatorOk).toBe(true);
    const d = decodePacket(req.raw);
    if (!d.ok) throw new Error('undecodable Disconnect-Request');
    expect(d.packet.attributes[0]!.type).toBe(Attr.MessageAuthenticator);
    expect(getString(d.packet, Attr.UserName)).toBe('bob@jaist.ac.jp');
    expect(getString(d.packet, Attr.AcctSessionId)).toBe('BOB-1');
    expect(getString(d.packet, Attr.CallingStationId)).toBe('02-00-00-00-00-0B');

    const loaded = await gw.waitFor((l) => l.event === 'crl_loaded' && l.source === crlFile, since);
    expect(loaded).toMatchObject({ revoked: 1 });
    // Issue 9: sent within 1 s of the revocation being in force (the CRL taken) on the gateway.
    const afterInForce = req.at - Date.parse(loaded.time as string);
    console.log(`CRL renamed over -> Disconnect-Request at the NAS: ${took} ms (${afterInForce} ms after the CRL was in force)`);
    expect(afterInForce).toBeLessThan(1000);
    const logged = await gw.waitFor((l) => l.event === 'disconnect' && l.member === 'bob@jaist.ac.jp', since);
    expect(logged).toMatchObject({ trigger: 'revoked_crl', outcome: 'ack', attempts: 1, acctSessionId: 'BOB-1', client: 'nas-a' });
    expect(await sessionsOf('bob@jaist.ac.jp')).toEqual([]);
    // Only the revoked certificate's session: alice stays on.
    expect((await sessionsOf('alice@jaist.ac.jp')).map((s) => s.acctSessionId)).toEqual(['ALICE-1']);
    expect(nas.received.length).toBe(1);
  });
});

// POST /v1/verify on the built gateway: the same decision as a login, for concentrators and
// scripts; good and refused chains, bad input with 4xx reasons, the two tokens. And the shipped
// OpenVPN tls-verify hook (examples/openvpn-tls-verify.sh), run the way OpenVPN runs it.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, ROOT, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { requireProgram } from '../helpers/programs.js';

const run = requireProgram('curl', 'curl');
const ADMIN = 'admin-token-0123456789abcdef';
const VERIFY = 'verify-token-0123456789abcdef';
const HOOK = join(ROOT, 'examples', 'openvpn-tls-verify.sh');

describe.runIf(run)('verify API', () => {
  let pki: TestPki;
  let gw: GatewayProcess;
  let dir: string;
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const pem = (m: string) => readFileSync(pki.member(m).cert, 'utf8');
  const verify = (body: string, init: { token?: string | null; type?: string; query?: string; method?: string } = {}) =>
    fetch(`${base()}/v1/verify${init.query ?? ''}`, {
      method: init.method ?? 'POST',
      headers: {
        ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? VERIFY}` }),
        ...(init.type ? { 'content-type': init.type } : {}),
      },
      ...(init.method === 'GET' ? {} : { body }),
    });

  beforeAll(async () => {
    pki = makeTestPki();
    dir = tempDir();
    const config = writeConfig(
      dir,
      gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
  adminToken: ${ADMIN}
  verifyToken: ${VERIFY}
`),
    );
    const add = await runCli(['store', '--config', config, 'add', pki.member('alice-old').cert, pki.member('alice').cert, pki.member('carol').cert]);
    expect(add.code, add.stderr).toBe(0);
    const serial = /added (\S+) carol/.exec(add.stdout)![1]!;
    expect((await runCli(['store', '--config', config, 'revoke', '--serial', serial, '--reason', 'keyCompromise'])).code).toBe(0);
    gw = await startGateway(config, dir);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('accepts a current member certificate (raw PEM body), naming member, serial and source', async () => {
    const r = await verify(pem('alice'), { type: 'application/x-pem-file' });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ decision: 'accept', reason: 'ok', member: 'alice@jaist.ac.jp', serial: expect.stringMatching(/^[0-9A-F]+$/), revocationSource: 'store', detail: null });
  });

  it('takes JSON with an identity, and decides on it like a login', async () => {
    const ok = await verify(JSON.stringify({ chain: `${pem('alice')}\n${readFileSync(pki.caCert, 'utf8')}`, identity: 'alice@jaist.ac.jp' }), { type: 'application/json' });
    expect(await ok.json()).toMatchObject({ decision: 'accept', reason: 'ok' });
    const wrong = await verify(JSON.stringify({ chain: pem('alice'), identity: 'carol@jaist.ac.jp' }), { type: 'application/json' });
    expect(await wrong.json()).toMatchObject({ decision: 'reject', reason: 'identity_mismatch' });
    const viaQuery = await verify(pem('alice'), { query: '?identity=anonymous@other.example' });
    expect(await viaQuery.json()).toMatchObject({ decision: 'reject', reason: 'realm' });
  });

  it('refuses revoked, superseded, never-issued and untrusted certificates with the login reasons', async () => {
    const body = async (m: string) => (await verify(pem(m))).json();
    expect(await body('carol')).toMatchObject({ decision: 'reject', reason: 'revoked_store', member: 'carol@jaist.ac.jp', revocationSource: 'store', detail: expect.stringMatching(/keyCompromise/) });
    expect(await body('alice-old')).toMatchObject({ decision: 'reject', reason: 'superseded', revocationSource: 'store' });
    expect(await body('eve')).toMatchObject({ decision: 'reject', reason: 'not_issued', revocationSource: 'store' });
    expect(await body('mallory')).toMatchObject({ decision: 'reject', reason: 'untrusted_issuer', revocationSource: null });
    expect(await body('dave')).toMatchObject({ decision: 'reject', reason: 'expired' });
  });

  it('answers bad input with a 4xx and a reason', async () => {
    const expectError = async (r: Response, status: number, error: string) => {
      expect(r.status).toBe(status);
      expect(await r.json()).toMatchObject({ error, message: expect.any(String) });
    };
    await expectError(await verify(''), 400, 'no_certificate');
    await expectError(await verify('hello'), 400, 'no_certificate');
    await expectError(await verify('{not json', { type: 'application/json' }), 400, 'bad_json');
    await expectError(await verify(JSON.stringify({ chain: 42 }), { type: 'application/json' }), 400, 'missing_chain');
    await expectError(await verify(JSON.stringify({ chain: pem('alice'), identity: 7 }), { type: 'application/json' }), 400, 'bad_identity');
    await expectError(await verify('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), 400, 'bad_certificate');
    await expectError(await verify(pem('alice').repeat(11)), 400, 'chain_too_long');
    await expectError(await verify('x'.repeat(300 * 1024)), 413, 'too_large');
    await expectError(await verify('', { method: 'GET' }), 405, 'method_not_allowed');
  });

  it('needs the verify or the admin token; the verify token opens nothing else', async () => {
    expect((await verify(pem('alice'), { token: null })).status).toBe(401);
    expect((await verify(pem('alice'), { token: 'wrong-token-0123456789' })).status).toBe(401);
    expect((await verify(pem('alice'), { token: ADMIN })).status).toBe(200);
    const admin = await fetch(`${base()}/v1/certificates?member=alice@jaist.ac.jp`, { headers: { authorization: `Bearer ${VERIFY}` } });
    expect(admin.status).toBe(401);
  });

  it('counts decisions and keeps them for the helpdesk', async () => {
    const metrics = await (await fetch(`${base()}/metrics`)).text();
    expect(metrics).toMatch(/certgate_verify_decisions_total\{result="accept",reason="ok"\} [1-9]/);
    expect(metrics).toMatch(/certgate_verify_decisions_total\{result="reject",reason="revoked_store"\} [1-9]/);
    const d = await fetch(`${base()}/v1/decisions?member=carol@jaist.ac.jp`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(await d.json()).toMatchObject({ decisions: expect.arrayContaining([expect.objectContaining({ client: 'verify_api', reason: 'revoked_store' })]) });
  });

  describe('examples/openvpn-tls-verify.sh', () => {
    const hook = (depth: string, member: string | null, env: Record<string, string> = {}) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const tokenFile = join(dir, 'verify.token');
        writeFileSync(tokenFile, `${VERIFY}\n`, { mode: 0o600 });
        const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, CERTGATE_URL: base(), CERTGATE_TOKEN_FILE: tokenFile, ...env };
        if (member) childEnv.peer_cert = pki.member(member).cert;
        execFile('sh', [HOOK, depth, `C=JP, O=Demo NII, CN=${member ?? 'Demo UPKI CA'}`], { env: childEnv }, (err, _out, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
        });
      });

    it('lets a current member in at depth 0 and passes CA certificates at depth > 0', async () => {
      expect(await hook('1', null)).toMatchObject({ code: 0 });
      const ok = await hook('0', 'alice');
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/accept alice@jaist\.ac\.jp serial/);
    });

    it('refuses revoked, superseded and never-issued certificates, saying why', async () => {
      for (const [m, reason] of [['carol', 'revoked_store'], ['alice-old', 'superseded'], ['eve', 'not_issued']] as const) {
        const r = await hook('0', m);
        expect(r.code, m).toBe(1);
        expect(r.stderr).toContain(`reject`);
        expect(r.stderr).toContain(reason);
      }
    });

    it('fails closed: wrong token, no certificate, certgate unreachable', async () => {
      writeFileSync(join(dir, 'bad.token'), 'wrong-token-0123456789\n');
      const bad = await hook('0', 'alice', { CERTGATE_TOKEN_FILE: join(dir, 'bad.token') });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/HTTP 401/);
      expect((await hook('0', null)).code).toBe(1);
      const down = await hook('0', 'alice', { CERTGATE_URL: 'http://127.0.0.1:9' });
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/cannot be reached/);
    });
  });
});

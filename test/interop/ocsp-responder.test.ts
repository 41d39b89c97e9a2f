// The OCSP responder of the built gateway, asked the way a VPN concentrator asks: `openssl ocsp`
// (POST) for a good, a revoked, a superseded and a never-issued certificate, with and without a
// nonce, every answer verified ("Response verify OK": signed by the delegated responder whose
// certificate the response carries, issued by the CA with id-kp-OCSPSigning). GET requests are
// built with -reqout, fetched over HTTP and verified with -respin/-reqin. Plus the error answers
// (malformedRequest, unauthorized) and the RFC 5019/9919 caching headers.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { requireProgram } from '../helpers/programs.js';

const run = requireProgram('openssl', 'openssl');

function openssl(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, { maxBuffer: 4 << 20, ...(env ? { env } : {}) }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

describe.runIf(run)('OCSP responder with openssl ocsp as the client', () => {
  let pki: TestPki;
  let gw: GatewayProcess;
  let dir: string;
  const url = () => `http://127.0.0.1:${gw.httpPort}/ocsp`;

  beforeAll(async () => {
    pki = makeTestPki();
    dir = tempDir();
    const config = writeConfig(
      dir,
      gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
ocspResponder:
  certificate: ${pki.ocspCert}
  privateKey: ${pki.ocspKey}
  validitySeconds: 600
`),
    );
    const add = await runCli(['store', '--config', config, 'add', pki.member('alice-old').cert, pki.member('alice').cert, pki.member('bob').cert, pki.member('carol').cert]);
    expect(add.code, add.stderr).toBe(0);
    const serial = /added (\S+) carol/.exec(add.stdout)![1]!;
    const rev = await runCli(['store', '--config', config, 'revoke', '--serial', serial, '--reason', 'keyCompromise']);
    expect(rev.code, rev.stderr).toBe(0);
    gw = await startGateway(config, dir);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
  });

  // What each certificate must be, in openssl's words.
  const cases: { member: string; status: RegExp; extra?: RegExp[] }[] = [
    { member: 'alice', status: /: good/ },
    { member: 'bob', status: /: good/ },
    { member: 'carol', status: /: revoked/, extra: [/Reason: keyCompromise/, /Revocation Time: /] },
    { member: 'alice-old', status: /: revoked/, extra: [/Reason: superseded/] },
    // eve holds a certificate from our CA that was never issued to a member.
    { member: 'eve', status: /: revoked/, extra: [/Reason: certificateHold/, /Revocation Time: Jan {2}1 00:00:00 1970 GMT/] },
  ];

  for (const nonce of [true, false]) {
    for (const c of cases) {
      it(`POST ${nonce ? 'with' : 'without'} nonce: ${c.member} is verified and ${c.status.source.slice(2)}`, async () => {
        const r = await openssl(['ocsp', '-issuer', pki.caCert, '-cert', pki.member(c.member).cert, '-url', url(), '-CAfile', pki.caCert, '-resp_text', ...(nonce ? [] : ['-no_nonce'])]);
        expect(r.out).toContain('Response verify OK');
        expect(r.out).not.toMatch(/Nonce Verify error|WARNING: no nonce/);
        expect(r.out).toMatch(new RegExp(`${c.member}\\.pem${c.status.source}`));
        for (const e of c.extra ?? []) expect(r.out).toMatch(e);
        expect(r.out).toMatch(/Next Update: /);
        expect(r.out).toContain(nonce ? 'OCSP Nonce' : 'Cert Status');
        if (!nonce) expect(r.out).not.toContain('OCSP Nonce');
        // RFC 6960 4.4.8 Extended Revoked Definition (OpenSSL names id-pkix-ocsp 9 "valid"): only with never-issued.
        const extended = /Response Extensions:(?:\n {8}\S.*\n {12}.*)*\n {8}valid: ?\n/;
        if (c.member === 'eve') expect(r.out).toMatch(extended);
        else expect(r.out).not.toMatch(extended);
        expect(r.code).toBe(0);
      });
    }
  }

  for (const nonce of [true, false]) {
    it(`GET ${nonce ? 'with' : 'without'} nonce: good, revoked, superseded and never-issued are verified`, async () => {
      for (const c of cases) {
        const req = join(dir, `req-${c.member}-${nonce}.der`);
        const resp = join(dir, `resp-${c.member}-${nonce}.der`);
        const made = await openssl(['ocsp', '-issuer', pki.caCert, '-cert', pki.member(c.member).cert, '-reqout', req, ...(nonce ? [] : ['-no_nonce'])]);
        expect(made.code, made.out).toBe(0);
        const encoded = encodeURIComponent(readFileSync(req).toString('base64'));
        const res = await fetch(`${url()}/${encoded}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/ocsp-response');
        writeFileSync(resp, Buffer.from(await res.arrayBuffer()));
        // -reqin makes openssl check the nonce against the request it was sent in.
        const v = await openssl(['ocsp', '-reqin', req, '-respin', resp, '-CAfile', pki.caCert, '-resp_text']);
        expect(v.out, c.member).toContain('Response verify OK');
        expect(v.out).not.toMatch(/Nonce Verify error/);
        expect(v.out).toMatch(c.member === 'alice' || c.member === 'bob' ? /Cert Status: good/ : /Cert Status: revoked/);
        if (nonce) expect(v.out).toContain('OCSP Nonce');
      }
    });
  }

  it('GET accepts base64url too, and answers with the RFC 5019/9919 caching headers and a stable ETag', async () => {
    const req = join(dir, 'req-cache.der');
    await openssl(['ocsp', '-issuer', pki.caCert, '-cert', pki.member('bob').cert, '-reqout', req, '-no_nonce']);
    const der = readFileSync(req);
    const first = await fetch(`${url()}/${der.toString('base64url')}`);
    const again = await fetch(`${url()}/${encodeURIComponent(der.toString('base64'))}`);
    const body1 = Buffer.from(await first.arrayBuffer());
    const body2 = Buffer.from(await again.arrayBuffer());
    expect(body2.equals(body1)).toBe(true); // the cached, pre-signed answer
    const h = first.headers;
    expect(h.get('cache-control')).toMatch(/^max-age=(\d+), public, no-transform, must-revalidate$/);
    const maxAge = Number(/max-age=(\d+)/.exec(h.get('cache-control')!)![1]);
    expect(maxAge).toBeGreaterThan(590);
    expect(maxAge).toBeLessThanOrEqual(600);
    const lastModified = Date.parse(h.get('last-modified')!);
    const expires = Date.parse(h.get('expires')!);
    expect(expires - lastModified).toBe(600_000);
    expect(h.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(again.headers.get('etag')).toBe(h.get('etag'));
    const notModified = await fetch(`${url()}/${der.toString('base64url')}`, { headers: { 'if-none-match': h.get('etag')! } });
    expect(notModified.status).toBe(304);
  });

  it('a nonce answer is never cached: no-store, and a fresh signature each time', async () => {
    const req = join(dir, 'req-nonce.der');
    await openssl(['ocsp', '-issuer', pki.caCert, '-cert', pki.member('alice').cert, '-reqout', req]);
    const post = () => fetch(url(), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: readFileSync(req) });
    const a = await post();
    expect(a.headers.get('cache-control')).toBe('no-store');
    expect(a.headers.get('etag')).toBeNull();
  });

  it('answers malformedRequest to junk (POST and GET) and unauthorized for an issuer it does not serve', async () => {
    const junk = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.from('not an OCSP request') });
    expect(junk.status).toBe(200);
    const junkBody = join(dir, 'junk-resp.der');
    writeFileSync(junkBody, Buffer.from(await junk.arrayBuffer()));
    expect((await openssl(['ocsp', '-respin', junkBody, '-resp_text', '-noverify'])).out).toMatch(/malformedrequest/i);
    const badGet = await fetch(`${url()}/%%%not-base64`);
    writeFileSync(junkBody, Buffer.from(await badGet.arrayBuffer()));
    expect((await openssl(['ocsp', '-respin', junkBody, '-resp_text', '-noverify'])).out).toMatch(/malformedrequest/i);

    // mallory's issuer (Other University CA) is not ours.
    const r = await openssl(['ocsp', '-issuer', pki.otherCaCert, '-cert', pki.member('mallory').cert, '-url', url(), '-CAfile', pki.caCert, '-resp_text']);
    expect(r.out).toMatch(/unauthorized/i);
    expect((await fetch(url(), { method: 'PUT' })).status).toBe(405);
  });

  it('shows the responder in /readyz and counts answers in /metrics', async () => {
    const ready = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`)).json()) as { parts: Record<string, string> };
    expect(ready.parts.ocsp).toMatch(/^answering for Demo UPKI CA; responder certificate valid until /);
    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/certgate_ocsp_responses_total\{method="post",status="good"\} [1-9]/);
    expect(metrics).toMatch(/certgate_ocsp_responses_total\{method="get",status="not_issued"\} [1-9]/);
    expect(metrics).toMatch(/certgate_ocsp_responses_total\{method="post",status="unauthorized"\} [1-9]/);
    expect(metrics).toMatch(/certgate_ocsp_signatures_total\{why="nonce"\} [1-9]/);
    expect(metrics).toMatch(/certgate_ocsp_cache_entries [1-9]/);
  });
});

describe.runIf(run)('OCSP responder with a CRL configured (revocation:)', () => {
  let pki: TestPki;
  let gw: GatewayProcess;
  let dir: string;

  beforeAll(async () => {
    // A fresh PKI: this block revokes in the CA's database.
    pki = makeTestPki({ fresh: true });
    dir = tempDir();
    const ca = (args: string[]) => openssl(['ca', '-config', pki.opensslCnf, ...args], { ...process.env, CA_DIR: pki.caDir }).then((r) => expect(r.code, r.out).toBe(0));
    await ca(['-revoke', pki.member('bob').cert, '-crl_reason', 'keyCompromise']);
    await ca(['-gencrl', '-crldays', '30', '-out', pki.crl]);
    const config = writeConfig(
      dir,
      gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
ocspResponder:
  certificate: ${pki.ocspCert}
  privateKey: ${pki.ocspKey}
revocation:
  crls:
    - file: ${pki.crl}
`),
    );
    // In the store bob is a current member: only the CA's CRL says otherwise.
    const add = await runCli(['store', '--config', config, 'add', pki.member('alice').cert, pki.member('bob').cert]);
    expect(add.code, add.stderr).toBe(0);
    gw = await startGateway(config, dir);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('answers revoked for a certificate on the CRL though current in the store, as a login would be refused', async () => {
    const ask = (m: string) => openssl(['ocsp', '-issuer', pki.caCert, '-cert', pki.member(m).cert, '-url', `http://127.0.0.1:${gw.httpPort}/ocsp`, '-CAfile', pki.caCert]);
    const bob = await ask('bob');
    expect(bob.out).toContain('Response verify OK');
    expect(bob.out).toMatch(/bob\.pem: revoked/);
    expect(bob.out).toMatch(/Reason: keyCompromise/);
    const alice = await ask('alice');
    expect(alice.out).toContain('Response verify OK');
    expect(alice.out).toMatch(/alice\.pem: good/);
  });
});

import { readFileSync } from 'node:fs';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { makeTestPki } from '../helpers/pki.js';
import { baseUrl, sessionsCommand } from '../../src/cli/sessions-command.js';
import type { Config } from '../../src/config/load.js';

const config = (http: Partial<Config['http']>): Config => ({ http: { listen: { host: '0.0.0.0', port: 9812, family: 4 }, adminToken: Buffer.from('admin-token-0123456789abcdef'), verifyToken: undefined, tls: undefined, ...http } }) as unknown as Config;

function run(c: Config, argv: string[], answer: { status: number; body: unknown } = { status: 200, body: { sessions: [] } }) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: { method: string; url: string; body: string | undefined }[] = [];
  const done = sessionsCommand(c, argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    request: async (method, url, _token, body) => {
      calls.push({ method, url: url.toString(), body });
      return answer;
    },
  });
  return done.then((code) => ({ code, out, err, calls }));
}

const view = { id: 'abc', member: 'bob@jaist.ac.jp', serial: '1004', boundBy: 'class', client: 'ap', nas: '10.0.0.1', nasIdentifier: 'ap-1', nasIpAddress: null, acctSessionId: 'S1', callingStationId: null, framedIpAddress: null, startedAt: '2026-11-25T07:00:00.000Z', updatedAt: '2026-11-25T07:10:00.000Z' };

describe('certgate sessions', () => {
  it('asks the gateway at http.listen (unspecified address on loopback), or at --url', () => {
    expect(baseUrl(config({}), undefined).toString()).toBe('http://127.0.0.1:9812/');
    expect(baseUrl(config({ listen: { host: '::', port: 9812, family: 6 } }), undefined).toString()).toBe('http://[::1]:9812/');
    expect(baseUrl(config({ tls: { certificate: 'c', privateKey: 'k' } }), undefined).protocol).toBe('https:');
    expect(baseUrl(config({ listen: { host: '127.0.0.1', port: 0, family: 4 } }), 'http://127.0.0.1:4000').port).toBe('4000');
    expect(() => baseUrl(config({ listen: { host: '127.0.0.1', port: 0, family: 4 } }), undefined)).toThrow(/port 0/);
    expect(() => baseUrl(config({ listen: undefined }), undefined)).toThrow(/--url/);
    expect(() => baseUrl(config({}), 'ftp://x')).toThrow(/http/);
  });

  it('lists a member sessions as a table or JSON', async () => {
    const r = await run(config({}), ['list', '--member', 'bob@jaist.ac.jp'], { status: 200, body: { sessions: [view] } });
    expect(r.code).toBe(0);
    expect(r.calls[0]).toMatchObject({ method: 'GET', url: 'http://127.0.0.1:9812/v1/sessions?limit=10000&member=bob%40jaist.ac.jp' });
    expect(r.out[0]).toMatch(/^ID\s+MEMBER\s+SERIAL/);
    expect(r.out[1]).toMatch(/^abc\s+bob@jaist\.ac\.jp\s+1004\s+ap-1\s+S1\s+-\s+2026-11-25T07:00:00Z/);
    expect((await run(config({}), ['list'])).out).toEqual(['no live sessions']);
    expect(JSON.parse((await run(config({}), ['list', '--json'], { status: 200, body: { sessions: [view] } })).out.join('\n'))).toEqual([view]);
  });

  it('disconnects by member or id; exit 0 only when every session ended', async () => {
    const ack = { session: view, trigger: 'admin', outcome: 'ack', attempts: 1, ended: true };
    const r = await run(config({}), ['disconnect', '--member', 'bob@jaist.ac.jp'], { status: 200, body: { results: [ack] } });
    expect(r.calls[0]).toMatchObject({ method: 'POST', url: 'http://127.0.0.1:9812/v1/sessions/disconnect', body: '{"member":"bob@jaist.ac.jp"}' });
    expect(r.code).toBe(0);
    expect(r.out[0]).toContain('abc bob@jaist.ac.jp S1 (ap-1): ack');
    const silent = await run(config({}), ['disconnect', '--id', 'abc'], { status: 200, body: { results: [{ ...ack, outcome: 'no_answer', attempts: 3, ended: false }] } });
    expect(silent.calls[0]!.body).toBe('{"id":"abc"}');
    expect(silent.code).toBe(1);
    expect(silent.out[0]).toContain('no answer from the access point after 3 attempts');
    const none = await run(config({}), ['disconnect', '--member', 'x@y'], { status: 404, body: { error: 'no_sessions', message: 'no live session of x@y' } });
    expect(none).toMatchObject({ code: 1, err: ['certgate sessions: no live session of x@y (no_sessions)'] });
  });

  it('refuses bad usage, and says when the admin API is off', async () => {
    expect((await run(config({}), ['disconnect'])).code).toBe(2);
    expect((await run(config({}), ['disconnect', '--member', 'a', '--id', 'b'])).code).toBe(2);
    expect((await run(config({}), ['frobnicate'])).code).toBe(2);
    expect((await run(config({}), ['list', '--bogus'])).code).toBe(2);
    const off = await run(config({ adminToken: undefined }), ['list']);
    expect(off.code).toBe(2);
    expect(off.err[0]).toContain('http.adminToken');
  });

  it('exits 3 when the gateway cannot be reached', async () => {
    const err: string[] = [];
    const code = await sessionsCommand(config({}), ['list'], { out: () => undefined, err: (l) => err.push(l), request: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9812')) });
    expect(code).toBe(3);
    expect(err[0]).toContain('cannot reach');
  });
});

describe('certgate sessions over https', () => {
  it('sends the token only to a gateway presenting http.tls.certificate', async () => {
    const pki = makeTestPki();
    const seen: (string | undefined)[] = [];
    const server = https.createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sessions: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const out: string[] = [];
      const err: string[] = [];
      const good = config({ listen: { host: '127.0.0.1', port, family: 4 }, tls: { certificate: pki.serverCert, privateKey: pki.serverKey } });
      expect(await sessionsCommand(good, ['list'], { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(0);
      expect(out).toEqual(['no live sessions']);
      expect(seen).toEqual(['Bearer admin-token-0123456789abcdef']);
      const wrong = config({ listen: { host: '127.0.0.1', port, family: 4 }, tls: { certificate: pki.ocspCert, privateKey: pki.ocspKey } });
      expect(await sessionsCommand(wrong, ['list'], { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(3);
      expect(err.at(-1)).toContain('is not http.tls.certificate');
      expect(seen.length).toBe(1);
    } finally {
      server.close();
    }
  });
});

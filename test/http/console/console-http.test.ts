// The console over HTTP, in process: login and its limits, cookie flags, CSRF and Origin checks,
// escaping, headers, actions with audit lines, and the live-sessions plug-in.
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveSession, LiveSessionSource } from '../../../src/http/console/deps.js';
import { Client, hidden, startConsoleServer } from './client.js';
import { NOW, TOKEN, decision, fixture, record, type Fixture } from './fixtures.js';

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers) await c();
  closers = [];
});

async function setup(f: Fixture = fixture()) {
  const s = await startConsoleServer(f.deps);
  closers.push(s.close);
  return { ...f, client: new Client(s.base), base: s.base };
}

async function loggedIn(f?: Fixture) {
  const s = await setup(f);
  const res = await s.client.login('Hanako Helpdesk', TOKEN);
  expect(res.status).toBe(303);
  return s;
}

const SECURITY = {
  'content-security-policy': expect.stringMatching(/default-src 'self'.*frame-ancestors 'none'/),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
const headersOf = (r: Response) => Object.fromEntries(r.headers.entries());

describe('console login', () => {
  it('shows only the login form, with no data, without a session', async () => {
    const { client } = await setup();
    for (const path of ['/console', '/console/members/alice%40jaist.ac.jp', '/console/certificates/1001']) {
      const res = await client.get(path);
      expect(res.status).toBe(401);
      expect(headersOf(res)).toMatchObject(SECURITY);
      // The only trace of the request is the way back after login (what the person typed).
      const body = (await res.text()).replace(/<input type="hidden" name="next" value="[^"]*">/, '');
      expect(body).toContain('name="token"');
      expect(body).toContain('Your name');
      expect(body).not.toContain('alice@jaist.ac.jp');
      expect(body).not.toContain('1001');
    }
  });

  it('sets an HttpOnly, SameSite=Strict session cookie holding a session id, not the token', async () => {
    const { client, audits } = await setup();
    const res = await client.login('Hanako Helpdesk', TOKEN);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('certgate_console='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/console/);
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).not.toContain(TOKEN);
    expect(client.cookies.get('certgate_console')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(audits).toContainEqual({ action: 'console_login', fields: expect.objectContaining({ operator: 'Hanako Helpdesk' }) });
    const overview = await client.get('/console');
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain('Signed in as <strong>Hanako Helpdesk</strong>');
  });

  it('marks cookies Secure when the listener has TLS', async () => {
    const { client } = await setup(fixture({ tls: true }));
    const form = await client.get('/console');
    expect(form.headers.getSetCookie()[0]).toMatch(/; Secure$/);
    const res = await client.login('Taro', TOKEN);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('certgate_console='))).toMatch(/HttpOnly; SameSite=Strict; Secure/);
  });

  it('refuses a login form without its CSRF nonce (403)', async () => {
    const { client } = await setup();
    const page = await (await client.get('/console')).text();
    expect((await client.post('/console/login', { operator: 'x', token: TOKEN })).status).toBe(403);
    expect((await client.post('/console/login', { operator: 'x', token: TOKEN, login_csrf: 'A'.repeat(43) })).status).toBe(403);
    expect((await client.post('/console/login', { operator: 'x', token: TOKEN, login_csrf: hidden(page, 'login_csrf') })).status).toBe(303);
  });

  it('requires the operator name', async () => {
    const { client } = await setup();
    const res = await client.login('  ', TOKEN);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Enter your name');
  });

  it('rate-limits failed logins per address: 5 failures a minute, then 429 even with the right token', async () => {
    const { client, clock, audits } = await setup();
    for (let i = 0; i < 4; i++) expect((await client.login('Mallory', 'wrong-token-wrong-token')).status).toBe(401);
    const fifth = await client.login('Mallory', 'wrong-token-wrong-token');
    expect(fifth.status).toBe(429);
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(0);
    const right = await client.login('Hanako', TOKEN);
    expect(right.status).toBe(429);
    expect(await right.text()).toContain('Too many failed logins');
    expect(audits.filter((a) => a.action === 'console_login_failed')).toHaveLength(5);
    clock.now = new Date(NOW.getTime() + 61_000);
    expect((await client.login('Hanako', TOKEN)).status).toBe(303);
  });

  it('counts wrong bearer tokens against the same limit', async () => {
    const { client } = await setup();
    for (let i = 0; i < 4; i++) expect((await client.get('/console', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await client.get('/console', { authorization: 'Bearer nope' })).status).toBe(429);
    expect((await client.get('/console', { authorization: `Bearer ${TOKEN}` })).status).toBe(429);
  });

  it('never redirects outside the console after login', async () => {
    const { client } = await setup();
    const page = await (await client.get('/console')).text();
    const res = await client.post('/console/login', { operator: 'x', token: TOKEN, login_csrf: hidden(page, 'login_csrf'), next: 'https://evil.example/' });
    expect(res.headers.get('location')).toBe('/console');
  });

  it('returns to the deep link it was opened with', async () => {
    const { client } = await setup();
    const page = await (await client.get('/console/members/alice%40jaist.ac.jp')).text();
    expect(hidden(page, 'next')).toBe('/console/members/alice%40jaist.ac.jp');
    const res = await client.post('/console/login', { operator: 'x', token: TOKEN, login_csrf: hidden(page, 'login_csrf'), next: hidden(page, 'next') });
    expect(res.headers.get('location')).toBe('/console/members/alice%40jaist.ac.jp');
  });

  it('logs out (CSRF-checked) and ends the session; a rotated admin token ends sessions too', async () => {
    const { client, deps } = await loggedIn();
    const page = await (await client.get('/console')).text();
    expect((await client.post('/console/logout', {})).status).toBe(403);
    const out = await client.post('/console/logout', { csrf: hidden(page, 'csrf') });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie()[0]).toMatch(/^certgate_console=; .*Max-Age=0/);
    expect((await client.get('/console')).status).toBe(401);

    await client.login('Again', TOKEN);
    expect((await client.get('/console')).status).toBe(200);
    deps.token = Buffer.from('a-brand-new-admin-token-000');
    expect((await client.get('/console')).status).toBe(401);
  });

  it('counts logins and the size of its tables in /metrics', async () => {
    const { client, base } = await setup();
    await client.login('Mallory', 'wrong-token-wrong-token');
    await client.login('Hanako', TOKEN);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('certgate_console_logins_total{outcome="wrong_token"} 1');
    expect(text).toContain('certgate_console_logins_total{outcome="ok"} 1');
    expect(text).toMatch(/^certgate_console_sessions 1$/m);
    expect(text).toMatch(/^certgate_console_login_failure_entries 0$/m);
  });

  it('accepts the admin token as a bearer header', async () => {
    const { client } = await setup();
    const res = await client.get('/console/members/alice%40jaist.ac.jp', { authorization: `Bearer ${TOKEN}`, 'x-certgate-operator': 'script' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Signed in as <strong>script (token)</strong>');
  });
});

describe('console safety', () => {
  it('refuses a POST without or with a wrong CSRF token (403), and changes nothing', async () => {
    const { client, store } = await loggedIn();
    const form = { reason: 'keyCompromise', confirm: 'yes', issuer: 'CN=Demo UPKI CA' };
    const none = await client.post('/console/certificates/1001/revoke', form);
    expect(none.status).toBe(403);
    expect(await none.text()).toContain('CSRF');
    expect((await client.post('/console/certificates/1001/revoke', { ...form, csrf: 'x'.repeat(43) })).status).toBe(403);
    expect(store.records.find((r) => r.serial === '1001')!.status).toBe('valid');
  });

  it('refuses a POST from another origin even with the right CSRF token', async () => {
    const { client, store } = await loggedIn();
    const csrf = hidden(await (await client.get('/console/certificates/1001/revoke')).text(), 'csrf');
    const form = { reason: 'keyCompromise', confirm: 'yes', csrf };
    expect((await client.post('/console/certificates/1001/revoke', form, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await client.post('/console/certificates/1001/revoke', form, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await client.post('/console/certificates/1001/revoke', form, { origin: 'null' })).status).toBe(403);
    expect(store.records.find((r) => r.serial === '1001')!.status).toBe('valid');
  });

  it('renders a hostile member or identity escaped on every page', async () => {
    const evil = '<script>alert(1)</script>@x';
    const f = fixture({
      records: [record({ serial: '5000', member: evil, subject: 'CN=<img src=x onerror=alert(2)>' })],
      decisions: [decision({ member: evil, serial: '5000', outerIdentity: `"><svg onload=alert(3)>@x`, reason: 'identity_mismatch', callingStationId: '<b>mac</b>', client: '<i>ap</i>' })],
    });
    const { client } = await loggedIn(f);
    const pages = [`/console/members/${encodeURIComponent(evil)}`, '/console', '/console/certificates/5000', '/console/certificates/5000/revoke'];
    for (const path of pages) {
      const res = await client.get(path);
      expect(res.status, path).toBe(200);
      const body = await res.text();
      expect(body, path).not.toContain('<script>alert');
      expect(body, path).not.toContain('<svg onload');
      expect(body, path).not.toContain('<img src=x');
      expect(body, path).not.toContain('<b>mac');
      expect(body, path).not.toContain('<i>ap');
    }
    const member = await (await client.get(`/console/members/${encodeURIComponent(evil)}`)).text();
    expect(member).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@x');
    expect(member).toContain('&quot;&gt;&lt;svg onload=alert(3)&gt;@x');
  });

  it('never puts the admin token into a page', async () => {
    const { client } = await loggedIn();
    for (const path of ['/console', '/console/members/alice%40jaist.ac.jp', '/console/certificates/1001', '/console/certificates/1001/revoke', '/console/search?q=nothing-here']) {
      const res = await client.get(path);
      expect(headersOf(res), path).toMatchObject(SECURITY);
      expect(await res.text(), path).not.toContain(TOKEN);
    }
  });

  it('serves its CSS and script itself, with the same headers', async () => {
    const { client } = await setup();
    const css = await client.get('/console/static/console.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(headersOf(css)).toMatchObject(SECURITY);
    expect((await client.get('/console/static/console.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
  });
});

describe('console pages', () => {
  it('search takes an e-mail or a serial to its deep link', async () => {
    const { client } = await loggedIn();
    expect((await client.get('/console/search?q=Alice%40JAIST.ac.jp')).headers.get('location')).toBe('/console/members/alice%40jaist.ac.jp');
    expect((await client.get('/console/search?q=10%3A01')).headers.get('location')).toBe('/console/certificates/1001');
    expect((await client.get('/console/search?q=hello%20world')).status).toBe(404);
  });

  it('member page: certificates with the current one marked, decisions in plain words', async () => {
    const { client } = await loggedIn();
    const body = await (await client.get('/console/members/alice%40jaist.ac.jp')).text();
    expect(body).toMatch(/1001<\/a> <span class="badge current">current<\/span>/);
    expect(body).toContain('<span class="badge superseded">superseded</span>');
    expect(body).toContain('The last login was refused');
    expect(body).toContain('the identity typed on the device was bob@jaist.ac.jp, but the certificate belongs to alice@jaist.ac.jp');
    expect(body).toContain('ap-library');
    expect(body).toContain('02-00-00-00-00-01');
    expect(body).not.toContain('Live sessions');
    expect(body).not.toContain('Disconnect');
  });

  it('member page: renewal reminder inside 30 days; "never got as far" without decisions', async () => {
    const { client } = await loggedIn();
    const body = await (await client.get('/console/members/bob%40jaist.ac.jp')).text();
    expect(body).toContain('renewal is open: the current certificate 2000 expires on 2026-12-02 (in 12 days)');
    // bob typed his name on alice's device: that decision shows on his page too.
    expect(body).toContain('the certificate belongs to alice@jaist.ac.jp');
    const erin = await (await client.get('/console/members/erin%40jaist.ac.jp')).text();
    expect(erin).toContain('never got as far as certgate');
    expect(erin).toContain('No certificate for this member in the store');
  });

  it('overview: chart, top reasons, revocation "not configured", expiring certificates', async () => {
    const { client } = await loggedIn();
    const body = await (await client.get('/console')).text();
    expect(body).toContain('<svg class="chart"');
    expect(body).toContain('wrong identity typed');
    expect(body).toContain('<dt>CRL</dt><dd><span class="muted">not configured</span></dd><dt>OCSP</dt><dd><span class="muted">not configured</span></dd>');
    expect(body).toMatch(/Certificates expiring in the next 30 days \(1\)/);
    expect(body).toContain('bob@jaist.ac.jp');
  });

  it('overview: CRL and OCSP health, with what they refused in the last hour', async () => {
    const f = fixture({ decisions: [decision({ reason: 'ocsp_unavailable' }), decision({ reason: 'ocsp_unavailable' }), decision({ reason: 'revoked_crl' })] });
    f.deps.revocation = () => ({ crl: 'ca.crl: Demo UPKI CA #4, next update 2026-11-21T00:00:00.000Z', ocsp: 'http://ocsp.example; hard-fail' });
    const { client } = await loggedIn(f);
    const body = await (await client.get('/console')).text();
    expect(body).toContain('<dt>CRL</dt><dd>ca.crl: Demo UPKI CA #4, next update 2026-11-21T00:00:00.000Z<div class="small"><span class="badge reject">1</span> refused in the last hour: revoked (CRL)</div>');
    expect(body).toContain('<dt>OCSP</dt><dd>http://ocsp.example; hard-fail<div class="small"><span class="badge reject">2</span> refused in the last hour: no OCSP answer</div>');
    expect(body).not.toContain('not configured');
  });
});

describe('console actions', () => {
  it('revoke: confirmation needed, then the store changes and an audit line names the operator', async () => {
    let changed = 0;
    const f = fixture();
    f.deps.changed = () => changed++;
    const { client, store, audits } = await loggedIn(f);
    const confirm = await (await client.get('/console/certificates/1001/revoke')).text();
    expect(confirm).toContain('Revoke certificate <span class="mono">1001</span>?');
    const csrf = hidden(confirm, 'csrf');
    const noBox = await client.post('/console/certificates/1001/revoke', { csrf, reason: 'keyCompromise', issuer: hidden(confirm, 'issuer') });
    expect(noBox.status).toBe(400);
    expect(await noBox.text()).toContain('Tick the box');
    const noReason = await client.post('/console/certificates/1001/revoke', { csrf, confirm: 'yes', issuer: hidden(confirm, 'issuer') });
    expect(noReason.status).toBe(400);
    expect(store.records.find((r) => r.serial === '1001')!.status).toBe('valid');

    const ok = await client.post('/console/certificates/1001/revoke', { csrf, reason: 'keyCompromise', confirm: 'yes', issuer: hidden(confirm, 'issuer') });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/console/members/alice%40jaist.ac.jp?revoked=1001');
    expect(store.records.find((r) => r.serial === '1001')).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
    expect(changed).toBe(1);
    expect(audits).toContainEqual({
      action: 'certificate_revoke',
      fields: { via: 'console', operator: 'Hanako Helpdesk', serial: '1001', member: 'alice@jaist.ac.jp', issuer: 'CN=Demo UPKI CA', reason: 'keyCompromise' },
    });
    const after = await (await client.get(ok.headers.get('location')!)).text();
    expect(after).toContain('is revoked since 2026-11-20 (keyCompromise');
    expect(after).toContain('The next login with it will be refused');
  });

  it('live sessions plug in: listed with a disconnect that is confirmed and audited', async () => {
    const live: LiveSession = { id: 'acct-1@10.1.2.3', member: 'alice@jaist.ac.jp', startedAt: new Date(NOW.getTime() - 600_000), client: 'ap-library', nas: '10.1.2.3', callingStationId: '02-00-00-00-00-01', framedIp: '10.9.0.7' };
    const asked: string[] = [];
    const sessions: LiveSessionSource = {
      forMember: (m) => (m === live.member ? [live] : []),
      disconnect: async (id) => (asked.push(id), { ok: true, message: 'Disconnect-ACK' }),
    };
    const { client, audits } = await loggedIn(fixture({ sessions }));
    const member = await (await client.get('/console/members/alice%40jaist.ac.jp')).text();
    expect(member).toContain('Live sessions');
    expect(member).toContain('10.9.0.7');
    const link = /href="(\/console\/sessions\/[^"]+)"/.exec(member)![1]!.replace(/&amp;/g, '&');
    const confirm = await (await client.get(link)).text();
    expect(confirm).toContain('Disconnect alice@jaist.ac.jp?');
    const path = link.split('?')[0]!;
    expect((await client.post(path, { csrf: hidden(confirm, 'csrf'), member: live.member })).status).toBe(400);
    const ok = await client.post(path, { csrf: hidden(confirm, 'csrf'), member: live.member, confirm: 'yes' });
    expect(ok.status).toBe(303);
    expect(asked).toEqual([live.id]);
    expect(audits).toContainEqual({ action: 'session_disconnect', fields: expect.objectContaining({ operator: 'Hanako Helpdesk', member: live.member, ok: true }) });
  });

  it('offers no disconnect without a sessions source', async () => {
    const { client } = await loggedIn();
    expect((await client.get('/console/sessions/x/disconnect?member=alice%40jaist.ac.jp')).status).toBe(404);
  });
});

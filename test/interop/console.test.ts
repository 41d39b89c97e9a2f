// The helpdesk console end to end, as a person uses it: headless Chromium (Debian's chromium,
// driven by playwright-core) against the BUILT gateway, with real eapol_test logins. Log in, find
// the member after a refused login, read why in plain words, revoke the certificate (with the
// confirmation step), and see the next login refused, on the network and on the page.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eapol, requireEapolTest } from '../helpers/eapol.js';
import { type GatewayProcess, ROOT, runCli, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { requireProgram } from '../helpers/programs.js';

const run = requireEapolTest() && requireProgram('chromium', 'chromium');
const TOKEN = 'console-e2e-admin-token-0123456789';
const OPERATOR = 'Hanako Yamada (helpdesk)';
// Screenshots go to the run's temp dir; CERTGATE_SCREENSHOTS=1 refreshes the ones in docs/console.
const SHOTS = process.env.CERTGATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'console') : undefined;

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function config(pki: TestPki): string {
  return gatewayYaml(pki, `http:
  listen: "127.0.0.1:0"
  adminToken: ${TOKEN}
revocation:
  crls:
    - file: ${pki.crl}
`, { radius: `  listen: ["127.0.0.1:0"]
  clients:
    - { name: ap-library-2f, network: 127.0.0.1, secret: testing123 }` });
}

/** A member certificate that expires in `days`, from the test CA (for the renewal reminder). */
function issueShortLived(pki: TestPki, dir: string, name: string, mail: string, days: number): string {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const pem = join(dir, `${name}.pem`);
  const env = { ...process.env, CA_DIR: pki.caDir };
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], { stdio: 'ignore' });
  execFileSync('openssl', ['req', '-new', '-config', pki.opensslCnf, '-key', key, '-subj', `/C=JP/O=JAIST/OU=student/CN=${name}/emailAddress=${mail}`, '-out', csr], { env, stdio: 'ignore' });
  execFileSync('openssl', ['ca', '-batch', '-notext', '-config', pki.opensslCnf, '-extensions', 'member_ext', '-in', csr, '-out', pem, '-days', String(days)], { env, stdio: 'ignore' });
  return pem;
}

const serialOf = (pem: string): string => execFileSync('openssl', ['x509', '-in', pem, '-noout', '-serial'], { encoding: 'utf8' }).trim().replace(/^serial=/, '');

describe.runIf(run)('helpdesk console in a browser', () => {
  let pki: TestPki;
  let dir: string;
  let gw: GatewayProcess;
  let ctx: BrowserContext;
  let page: Page;
  let aliceSerial: string;
  const problems: string[] = [];
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const login = (member: string, identity: string) => {
    const m = pki.member(member);
    return eapol({ port: gw.port, identity, caCert: pki.caCert, cert: m.cert, key: m.key, dir, timeoutSeconds: 5 });
  };
  const shot = async (name: string) => {
    const d = SHOTS ?? dir;
    mkdirSync(d, { recursive: true });
    await page.screenshot({ path: join(d, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    pki = makeTestPki({ fresh: true });
    dir = tempDir('certgate-console-');
    const frank = issueShortLived(pki, dir, 'frank', 'frank@jaist.ac.jp', 20);
    const configPath = writeConfig(dir, config(pki));
    const add = await runCli(['store', '--config', configPath, 'add', pki.member('alice-old').cert, pki.member('alice').cert, pki.member('bob').cert, frank]);
    expect(add.code, add.stderr).toBe(0);
    aliceSerial = serialOf(pki.member('alice').cert);
    gw = await startGateway(configPath, dir);

    // The morning's logins: some accepted, alice's refused twice (an old certificate on one device,
    // bob's address typed on another), and a certificate the store does not know.
    expect((await login('bob', 'bob@jaist.ac.jp')).success).toBe(true);
    expect((await login('alice', 'anonymous@jaist.ac.jp')).success).toBe(true);
    expect((await login('eve', 'eve@jaist.ac.jp')).success).toBe(false);
    expect((await login('alice-old', 'alice@jaist.ac.jp')).success).toBe(false);
    expect((await login('alice', 'bob@jaist.ac.jp')).success).toBe(false);

    ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'certgate-chromium-')), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      timezoneId: 'Asia/Tokyo',
      locale: 'en-US',
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    // A CSP violation or a script error shows up as a console error; every request must stay on
    // certgate (no CDN, no fonts from elsewhere).
    // (A page's own 4xx, such as the login form's 401, is logged as "Failed to load resource":
    // sub-resources are checked by status instead.)
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && r.request().resourceType() !== 'document' && problems.push(`${r.status()} for ${r.url()}`));
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
    page.on('request', (r) => !r.url().startsWith(base()) && problems.push(`request elsewhere: ${r.url()}`));
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await gw?.stop();
  });

  it('shows the login form and no data without a session', async () => {
    const res = await page.goto(`${base()}/console/members/alice%40jaist.ac.jp`);
    expect(res!.status()).toBe(401);
    await expect(page.getByLabel('Your name').isVisible()).resolves.toBe(true);
    expect(await page.content()).not.toContain('identity typed');
    await shot('login');
  });

  it('logs in with the operator name and the admin token, to the page it was opened with', async () => {
    await page.getByLabel('Your name').fill(OPERATOR);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base()}/console/members/alice%40jaist.ac.jp`);
    const cookie = (await ctx.cookies()).find((c) => c.name === 'certgate_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(cookie.value).not.toContain(TOKEN);
    expect(await page.content()).not.toContain(TOKEN);
  });

  it('overview: logins per minute, top reasons, revocation health, expiring certificates', async () => {
    await page.goto(`${base()}/console`);
    await expect(page.locator('svg.chart rect.accept').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('svg.chart rect.reject').count()).resolves.toBeGreaterThan(0);
    const text = await page.locator('main').innerText();
    expect(text).toContain('wrong identity typed');
    expect(text).toContain('replaced by a newer certificate');
    expect(text).toContain('not issued by JAIST');
    expect(text).toMatch(/CRL\s+\S*crl\.pem: Demo UPKI CA .*next update \d{4}-/);
    expect(text).toMatch(/OCSP\s+not configured/);
    expect(text).toMatch(/Certificates expiring in the next 30 days \(1\)[\s\S]*frank@jaist\.ac\.jp/);
    // console.js shows times in the browser's zone (Asia/Tokyo here), the chart's labels too.
    expect(await page.locator('svg.chart text.axis').last().textContent()).toMatch(/^\d\d:\d\d GMT\+9$/);
    expect(await page.locator('td.when time').first().textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\+9$/);
    await shot('overview');
  });

  it('search finds the member; the page says why in plain words', async () => {
    await page.getByRole('searchbox').fill('alice@jaist.ac.jp');
    await page.getByRole('searchbox').press('Enter');
    await page.waitForURL(`${base()}/console/members/alice%40jaist.ac.jp`);
    const verdict = await page.locator('.verdict').innerText();
    expect(verdict).toContain('The last login was refused');
    expect(verdict).toContain('the identity typed on the device was bob@jaist.ac.jp, but the certificate belongs to alice@jaist.ac.jp: type alice@jaist.ac.jp as the identity');
    expect(verdict).toContain('ap-library-2f');
    const why = await page.locator('td.why').allInnerTexts();
    expect(why.join('\n')).toContain('this certificate was replaced by a newer one issued on 2025-04-01: install the new one on this device');
    const current = page.locator('tr', { has: page.locator('.badge.current') });
    await expect(current.innerText()).resolves.toContain(aliceSerial);
    await shot('member');
  });

  it('revokes the certificate through the confirmation page, with an audit line naming the operator', async () => {
    const since = gw.lines.length;
    await page.locator('tr', { has: page.locator('.badge.current') }).getByRole('link', { name: 'Revoke…' }).click();
    await page.waitForURL(new RegExp(`/console/certificates/${aliceSerial}/revoke`));
    await page.getByLabel('Reason (RFC 5280)').selectOption('keyCompromise');
    await page.getByRole('checkbox').check();
    await shot('confirm');
    await page.getByRole('button', { name: 'Revoke certificate' }).click();
    await page.waitForURL(`${base()}/console/members/alice%40jaist.ac.jp?revoked=${aliceSerial}`);
    expect(await page.locator('.notice').innerText()).toContain(`Certificate ${aliceSerial} is revoked since`);
    const audit = await gw.waitFor((l) => l.event === 'audit' && l.action === 'certificate_revoke', since);
    expect(audit).toMatchObject({ via: 'console', operator: OPERATOR, serial: aliceSerial, member: 'alice@jaist.ac.jp', reason: 'keyCompromise' });
  });

  it('the next login is refused, and the page says so', async () => {
    const next = await login('alice', 'alice@jaist.ac.jp');
    expect(next.success).toBe(false);
    await gw.waitFor((l) => l.event === 'decision' && l.reason === 'revoked_store');
    await page.goto(`${base()}/console/members/alice%40jaist.ac.jp`);
    const verdict = await page.locator('.verdict').innerText();
    expect(verdict).toMatch(/this certificate was revoked on \d{4}-\d{2}-\d{2} \(key compromised, e\.g\. a lost or stolen device\): the member needs a new certificate/);
    await shot('member-after-revoke');
    // The deep link a ticket carries shows the same certificate, now revoked.
    await page.goto(`${base()}/console/certificates/${aliceSerial}`);
    expect(await page.locator('main').innerText()).toMatch(/Revoked\s+\d{4}-\d{2}-\d{2}: keyCompromise/);
    await shot('certificate');
  });

  it('frank: renewal is open inside 30 days', async () => {
    await page.goto(`${base()}/console/members/frank%40jaist.ac.jp`);
    expect(await page.locator('.reminder').innerText()).toMatch(/^renewal is open: the current certificate \w+ expires on \d{4}-\d{2}-\d{2} \(in (19|20) days\)/);
    expect(await page.locator('.verdict').innerText()).toContain('never got as far as certgate');
    await shot('member-renewal');
  });

  it('had no script error, no CSP violation and no request leaving certgate', () => {
    expect(problems).toEqual([]);
  });
});

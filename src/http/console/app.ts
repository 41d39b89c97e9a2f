// The helpdesk console under /console: routes, authentication and the CSRF checks in front of
// every action. Long-lived state (sessions, login failures) lives in this object, created once per
// http listener.
import type http from 'node:http';
import type { Registry } from 'prom-client';
import { StoreUnavailableError } from '../../store/store.js';
import { tryNormaliseSerial } from '../../verify/cert-facts.js';
import type { Reply } from '../reply.js';
import { disconnect, disconnectForm, revoke, revokeForm } from './actions.js';
import { CSS, FAVICON, JS } from './assets.js';
import { type Auth, authenticate, limitedReply, login, loginReply, logout } from './auth.js';
import type { ConsoleDeps } from './deps.js';
import { readForm } from './form.js';
import { type Viewer, certHref, memberHref } from './layout.js';
import { type LimiterLimits, LoginLimiter } from './login-limiter.js';
import { assetReply, htmlReply, redirect } from './page-reply.js';
import { certificatePage } from './pages/certificate.js';
import { memberPage } from './pages/member.js';
import { messagePage } from './pages/message.js';
import { overviewPage } from './pages/overview.js';
import { sameOrigin } from './same-origin.js';
import { secretEquals } from './secrets.js';
import { type SessionLimits, SessionTable } from './session-table.js';
import { type ConsoleMetrics, consoleMetrics } from './metrics.js';
import { loadCertificate, loadMember, loadOverview } from './views.js';

export type { ConsoleDeps } from './deps.js';

const MAX_MEMBER = 320;

export class ConsoleApp {
  readonly sessions: SessionTable;
  readonly limiter: LoginLimiter;
  private readonly metrics: ConsoleMetrics;

  constructor(opts: { sessions?: SessionLimits; limiter?: LimiterLimits; registry?: Registry } = {}) {
    this.sessions = new SessionTable(opts.sessions);
    this.limiter = new LoginLimiter(opts.limiter);
    this.metrics = consoleMetrics(opts.registry, this.sessions, this.limiter);
  }

  async handle(req: http.IncomingMessage, url: URL, deps: ConsoleDeps): Promise<Reply> {
    try {
      return await this.route(req, url, deps);
    } catch (e) {
      // PostgreSQL down: say so in words; logins go on from the gateway's snapshot meanwhile.
      if (e instanceof StoreUnavailableError) {
        return htmlReply(503, messagePage('Store unavailable', null, 'The certificate store cannot be reached right now, so nothing was changed. Logins go on; try again in a minute.'));
      }
      throw e;
    }
  }

  private async route(req: http.IncomingMessage, url: URL, deps: ConsoleDeps): Promise<Reply> {
    const now = deps.now();
    const path = url.pathname.replace(/(.)\/+$/, '$1');
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (path === '/console/static/console.css' && method === 'GET') return assetReply('text/css; charset=utf-8', CSS);
    if (path === '/console/static/console.js' && method === 'GET') return assetReply('text/javascript; charset=utf-8', JS);
    if (path === '/console/static/favicon.svg' && method === 'GET') return assetReply('image/svg+xml', FAVICON);
    if (path === '/console/login') return method === 'POST' ? login(req, deps, this.sessions, this.limiter, now, this.metrics) : redirect('/console');

    const auth = authenticate(req, deps, this.sessions, this.limiter, now);
    const next = method === 'GET' ? `${path}${url.search}` : '/console';
    if (auth.kind === 'limited') return limitedReply(req, deps, auth.retryAfter, next);
    if (auth.kind === 'none') return loginReply(req, deps, 401, { next, ...(auth.error ? { error: auth.error } : {}) });
    const viewer = auth.viewer;

    if (method === 'POST') {
      if (!sameOrigin(req, deps.tls)) return forbidden(viewer, 'This form must be sent from the console itself.');
      const form = await readForm(req);
      if (!form) return htmlReply(413, messagePage('Refused', viewer, 'The form is too large.'));
      // Bearer callers carry no ambient credential a forged page could use; sessions need the token.
      if (auth.kind === 'session' && !secretEquals(form.get('csrf') ?? '', auth.viewer.csrf ?? '')) {
        return forbidden(viewer, 'The form was not sent from this console session (CSRF check failed): reload the page and try again.');
      }
      return this.post(path, auth, viewer, form, deps, now);
    }
    if (method !== 'GET') return htmlReply(405, messagePage('Not allowed', viewer, `${req.method} is not allowed here.`), { allow: 'GET, HEAD, POST' });
    return this.get(path, url, viewer, deps, now);
  }

  private async get(path: string, url: URL, viewer: Viewer, deps: ConsoleDeps, now: Date): Promise<Reply> {
    if (path === '/console') return htmlReply(200, overviewPage(await loadOverview(deps, now), viewer));
    if (path === '/console/search') return search(url.searchParams.get('q') ?? '', viewer);
    const member = /^\/console\/members\/([^/]+)$/.exec(path);
    if (member) {
      const m = decodeMember(member[1]!);
      if (!m) return htmlReply(400, messagePage('Not a member', viewer, 'That is not an e-mail address.'));
      return htmlReply(200, memberPage(await loadMember(deps, m, now, url.searchParams), viewer));
    }
    const cert = /^\/console\/certificates\/([^/]+)(\/revoke)?$/.exec(path);
    if (cert) {
      const serial = tryNormaliseSerial(safeDecode(cert[1]!) ?? '');
      if (!serial) return htmlReply(400, messagePage('Not a serial', viewer, 'A certificate serial is written in hex, e.g. 1003 or 0A:1F:22.'));
      if (cert[2]) return revokeForm(deps, viewer, serial, url.searchParams.get('issuer'));
      return htmlReply(200, certificatePage(await loadCertificate(deps, serial, now, url.searchParams), viewer));
    }
    const session = /^\/console\/sessions\/([^/]+)\/disconnect$/.exec(path);
    if (session && deps.sessions) {
      return disconnectForm(deps, viewer, safeDecode(session[1]!) ?? '', (url.searchParams.get('member') ?? '').trim().toLowerCase(), now);
    }
    return htmlReply(404, messagePage('Not found', viewer, 'There is no such console page.'));
  }

  private async post(path: string, auth: Exclude<Auth, { kind: 'none' | 'limited' }>, viewer: Viewer, form: URLSearchParams, deps: ConsoleDeps, now: Date): Promise<Reply> {
    if (path === '/console/logout') return auth.kind === 'session' ? logout(deps, this.sessions, auth) : redirect('/console');
    const cert = /^\/console\/certificates\/([^/]+)\/revoke$/.exec(path);
    if (cert) {
      const serial = tryNormaliseSerial(safeDecode(cert[1]!) ?? '');
      if (!serial) return htmlReply(400, messagePage('Not a serial', viewer, 'A certificate serial is written in hex.'));
      return revoke(deps, viewer, serial, form, now);
    }
    const session = /^\/console\/sessions\/([^/]+)\/disconnect$/.exec(path);
    if (session && deps.sessions) return disconnect(deps, viewer, safeDecode(session[1]!) ?? '', form, now);
    return htmlReply(404, messagePage('Not found', viewer, 'There is no such console action.'));
  }
}

function search(q: string, viewer: Viewer): Reply {
  const s = q.trim();
  if (s === '') return redirect('/console');
  if (s.includes('@')) {
    const m = decodeMember(encodeURIComponent(s));
    return m ? redirect(memberHref(m)) : htmlReply(400, messagePage('Not a member', viewer, 'That is not an e-mail address.', s));
  }
  const serial = tryNormaliseSerial(s);
  if (serial) return redirect(certHref(serial));
  return htmlReply(404, messagePage('Nothing found', viewer, `Nothing matches "${s}": search for a member's e-mail address (e.g. alice@jaist.ac.jp) or a certificate serial in hex.`, s));
}

function decodeMember(raw: string): string | null {
  const m = safeDecode(raw)?.trim().toLowerCase();
  return m && m.length <= MAX_MEMBER && m.includes('@') ? m : null;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

const forbidden = (viewer: Viewer, text: string): Reply => htmlReply(403, messagePage('Refused', viewer, text));

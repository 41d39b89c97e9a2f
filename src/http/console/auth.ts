// Who is asking: a console session (cookie) or the admin token as a bearer header. Login and logout
// live here too, with the per-address failure limit.
import type http from 'node:http';
import { bearerMatches } from '../auth.js';
import type { Reply } from '../reply.js';
import { LOGIN_COOKIE, SESSION_COOKIE, parseCookies, serializeCookie, wellFormed } from './cookies.js';
import type { ConsoleDeps } from './deps.js';
import { readForm } from './form.js';
import type { Viewer } from './layout.js';
import type { LoginLimiter } from './login-limiter.js';
import type { ConsoleMetrics } from './metrics.js';
import { htmlReply, redirect } from './page-reply.js';
import { loginPage } from './pages/login.js';
import { messagePage } from './pages/message.js';
import { sameOrigin } from './same-origin.js';
import { randomToken, secretEquals, tokenDigest } from './secrets.js';
import type { SessionTable } from './session-table.js';

export type Auth =
  | { kind: 'session'; viewer: Viewer; sessionId: string }
  | { kind: 'bearer'; viewer: Viewer }
  | { kind: 'none'; error?: string }
  | { kind: 'limited'; retryAfter: number };

const LOGIN_NONCE_MAX_AGE = 3600;

export const sourceAddress = (req: http.IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

/** A name for the audit log: printable, one line, 1-64 characters; null when unusable. */
export function operatorName(raw: string | null | undefined): string | null {
  const s = (raw ?? '').replace(/[\p{Cc}\p{Cf}]/gu, '').replace(/\s+/g, ' ').trim();
  return s.length >= 1 && s.length <= 64 ? s : null;
}

export function authenticate(req: http.IncomingMessage, deps: ConsoleDeps, sessions: SessionTable, limiter: LoginLimiter, now: Date): Auth {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const addr = sourceAddress(req);
    const wait = limiter.retryAfter(addr, now);
    if (wait > 0) return { kind: 'limited', retryAfter: wait };
    if (bearerMatches(req, [deps.token])) {
      const named = operatorName(headerValue(req, 'x-certgate-operator'));
      return { kind: 'bearer', viewer: { operator: named ? `${named} (token)` : 'admin token', csrf: null, viaBearer: true } };
    }
    limiter.fail(addr, now);
    const after = limiter.retryAfter(addr, now);
    return after > 0 ? { kind: 'limited', retryAfter: after } : { kind: 'none', error: 'Wrong admin token in the Authorization header.' };
  }
  const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (!wellFormed(id)) return { kind: 'none' };
  const s = sessions.get(id, now);
  if (!s) return { kind: 'none' };
  // A session opened with an admin token that has since been rotated ends with it.
  if (!secretEquals(s.tokenDigest, tokenDigest(deps.token))) {
    sessions.delete(id);
    return { kind: 'none' };
  }
  return { kind: 'session', viewer: { operator: s.operator, csrf: s.csrf, viaBearer: false }, sessionId: id };
}

/** The login form, with its CSRF nonce cookie (kept when the browser already has one). */
export function loginReply(req: http.IncomingMessage, deps: ConsoleDeps, status: number, form: { next: string; error?: string; operator?: string }, extra: Record<string, string> = {}): Reply {
  const existing = parseCookies(req.headers.cookie).get(LOGIN_COOKIE);
  const nonce = wellFormed(existing) ? existing : randomToken();
  return htmlReply(status, loginPage({ nonce, ...form }), {
    'set-cookie': serializeCookie(LOGIN_COOKIE, nonce, { secure: deps.tls, maxAge: LOGIN_NONCE_MAX_AGE }),
    ...extra,
  });
}

export const limitedReply = (req: http.IncomingMessage, deps: ConsoleDeps, retryAfter: number, next = '/console'): Reply =>
  loginReply(req, deps, 429, { next, error: `Too many failed logins from your address: try again in ${retryAfter} seconds.` }, { 'retry-after': String(retryAfter) });

export async function login(req: http.IncomingMessage, deps: ConsoleDeps, sessions: SessionTable, limiter: LoginLimiter, now: Date, metrics: ConsoleMetrics): Promise<Reply> {
  const addr = sourceAddress(req);
  const wait = limiter.retryAfter(addr, now);
  if (wait > 0) {
    metrics.login('limited');
    return limitedReply(req, deps, wait);
  }
  if (!sameOrigin(req, deps.tls)) return htmlReply(403, messagePage('Refused', null, 'This form must be sent from the console itself.'));
  const form = await readForm(req);
  if (!form) return htmlReply(413, messagePage('Refused', null, 'The form is too large.'));
  const next = safeNext(form.get('next'));
  const operatorRaw = form.get('operator') ?? '';
  const nonce = parseCookies(req.headers.cookie).get(LOGIN_COOKIE);
  if (!wellFormed(nonce) || !secretEquals(form.get('login_csrf') ?? '', nonce)) {
    metrics.login('bad_form');
    return loginReply(req, deps, 403, { next, operator: operatorRaw, error: 'The login form had expired: please log in again.' });
  }
  const operator = operatorName(operatorRaw);
  if (!operator) return loginReply(req, deps, 400, { next, error: 'Enter your name (1 to 64 characters): it goes into the audit log.' });
  if (!secretEquals(form.get('token') ?? '', deps.token)) {
    limiter.fail(addr, now);
    metrics.login('wrong_token');
    deps.audit('console_login_failed', { via: 'console', operator, address: addr });
    const after = limiter.retryAfter(addr, now);
    if (after > 0) return limitedReply(req, deps, after, next);
    return loginReply(req, deps, 401, { next, operator, error: 'Wrong admin token.' });
  }
  limiter.succeed(addr);
  metrics.login('ok');
  const { id } = sessions.create(operator, tokenDigest(deps.token), now);
  deps.audit('console_login', { via: 'console', operator, address: addr });
  const maxAge = Math.floor(sessions.limits.maxAgeMs / 1000);
  return redirect(next, { 'set-cookie': serializeCookie(SESSION_COOKIE, id, { secure: deps.tls, maxAge }) });
}

export function logout(deps: ConsoleDeps, sessions: SessionTable, auth: Extract<Auth, { kind: 'session' }>): Reply {
  sessions.delete(auth.sessionId);
  deps.audit('console_logout', { via: 'console', operator: auth.viewer.operator });
  return redirect('/console', { 'set-cookie': serializeCookie(SESSION_COOKIE, '', { secure: deps.tls, maxAge: 0 }) });
}

/** Only a console path: a crafted `next` must not send the operator elsewhere after login. */
export function safeNext(v: string | null | undefined): string {
  return v && /^\/console(\/[^\s\\]*)?(\?[^\s\\]*)?$/.test(v) && !v.includes('//') ? v : '/console';
}

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

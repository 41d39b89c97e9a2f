// The console's cookies: the session id, and the login form's CSRF nonce (before a session
// exists). Both HttpOnly (no script needs them), SameSite=Strict (never sent on a cross-site
// request) and Secure when the listener speaks TLS.

export const SESSION_COOKIE = 'certgate_console';
export const LOGIN_COOKIE = 'certgate_login';
const PATH = '/console';

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  return [`${name}=${value}`, `Path=${PATH}`, `Max-Age=${o.maxAge}`, 'HttpOnly', 'SameSite=Strict', ...(o.secure ? ['Secure'] : [])].join('; ');
}

/** The Cookie header as name → value; the first of duplicate names wins (the most specific path). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}

/** Our values are base64url: anything else is not ours and is ignored. */
export const wellFormed = (v: string | undefined): v is string => v !== undefined && /^[A-Za-z0-9_-]{20,100}$/.test(v);

import type http from 'node:http';

/**
 * Second line of CSRF defence (after the per-session token): a POST must come from a page of this
 * listener. Browsers send Sec-Fetch-Site on every request, and Origin on POSTs; with our
 * Referrer-Policy no-referrer, Chromium sends `Origin: null` for form posts, so a "null" origin is
 * accepted only when Sec-Fetch-Site vouches for it. Non-browser clients (curl) send neither and are
 * judged by the token alone.
 */
export function sameOrigin(req: http.IncomingMessage, tls: boolean): boolean {
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = header(req, 'origin');
  if (origin === undefined) return true;
  if (origin === 'null') return site === 'same-origin';
  const host = header(req, 'host');
  return host !== undefined && origin.toLowerCase() === `${tls ? 'https' : 'http'}://${host.toLowerCase()}`;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

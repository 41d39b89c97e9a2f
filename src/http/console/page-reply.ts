// Every console answer goes out with the same protective headers: a strict CSP (no inline script
// or style, no framing), no sniffing, no referrer, and no caching of pages that show member data.
import type { Reply } from '../reply.js';
import type { Html } from './html.js';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export const htmlReply = (status: number, body: Html, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', ...headers },
  body: body.text,
});

/** 303: after a POST the browser GETs the result, so a reload never repeats the action. */
export const redirect = (location: string, headers: Record<string, string> = {}): Reply => ({
  status: 303,
  headers: { ...SECURITY_HEADERS, location, ...headers },
  body: '',
});

export const assetReply = (contentType: string, body: string): Reply => ({
  status: 200,
  headers: { ...SECURITY_HEADERS, 'content-type': contentType },
  body,
});

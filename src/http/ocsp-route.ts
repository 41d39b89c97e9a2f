// /ocsp on the http listener: POST (application/ocsp-request body) and GET (/ocsp/{base64 DER,
// URL-encoded}; base64url accepted too), RFC 6960 appendix A and RFC 9919. Every answer is an OCSP
// response with HTTP 200, errors included (malformedRequest, unauthorized). Cacheable answers (no
// nonce) carry the RFC 5019/9919 caching headers: Cache-Control max-age up to nextUpdate,
// Last-Modified = thisUpdate, Expires = nextUpdate, ETag; GET honours If-None-Match.
import type http from 'node:http';
import type { OcspAnswer, OcspResponder } from '../ocsp/responder.js';
import { readBody } from './body.js';
import { type Reply, json } from './reply.js';

export interface OcspDeps {
  responder: OcspResponder;
  now: () => Date;
  /** Metrics: one call per answer. */
  answered: (method: 'get' | 'post', a: OcspAnswer) => void;
}

const MAX_REQUEST = 64 * 1024;
const CONTENT_TYPE = 'application/ocsp-response';

/** base64 (URL-decoded first) or base64url → bytes; null when it is neither. */
export function decodeGetRequest(encoded: string): Buffer | null {
  let s: string;
  try {
    s = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  s = s.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (s.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return null;
  return Buffer.from(s, 'base64');
}

function headersFor(a: OcspAnswer, now: Date): Record<string, string> {
  const h: Record<string, string> = { 'content-type': CONTENT_TYPE };
  if (a.thisUpdate === null || a.nextUpdate === null || a.nonce) {
    // Errors and nonce answers belong to one request: never cached.
    h['cache-control'] = 'no-store';
    return h;
  }
  const maxAge = Math.max(0, Math.floor((a.nextUpdate.getTime() - now.getTime()) / 1000));
  h['cache-control'] = `max-age=${maxAge}, public, no-transform, must-revalidate`;
  h['last-modified'] = a.thisUpdate.toUTCString();
  h.expires = a.nextUpdate.toUTCString();
  h.etag = a.etag;
  return h;
}

export async function handleOcsp(req: http.IncomingMessage, url: URL, deps: OcspDeps): Promise<Reply> {
  const now = deps.now();
  let der: Buffer | null;
  let method: 'get' | 'post';
  if (req.method === 'POST' && (url.pathname === '/ocsp' || url.pathname === '/ocsp/')) {
    method = 'post';
    const body = await readBody(req, MAX_REQUEST);
    der = body === undefined || body.length === 0 ? null : body;
  } else if (req.method === 'GET') {
    method = 'get';
    // The raw path: '/' inside standard base64 need not be percent-encoded by every client.
    const raw = (req.url ?? '').split('?')[0]!;
    der = raw.startsWith('/ocsp/') ? decodeGetRequest(raw.slice('/ocsp/'.length)) : null;
  } else {
    const r = json(405, { error: 'method_not_allowed', message: 'OCSP requests are POST /ocsp (application/ocsp-request) or GET /ocsp/{base64 request}' });
    r.headers.allow = 'GET, POST';
    return r;
  }
  // Something that is not a request at all still gets an OCSP answer: malformedRequest.
  const answer = await deps.responder.respond(der ?? Buffer.alloc(0), now);
  deps.answered(method, answer);
  const headers = headersFor(answer, now);
  if (method === 'get' && headers.etag !== undefined && req.headers['if-none-match'] === headers.etag) {
    return { status: 304, headers, body: Buffer.alloc(0) };
  }
  return { status: 200, headers, body: answer.der };
}

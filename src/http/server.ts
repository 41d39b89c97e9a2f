import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Registry } from 'prom-client';
import type { Endpoint } from '../config/endpoint.js';
import { type AdminDeps, handleAdmin } from './admin-api.js';
import { ConsoleApp, type ConsoleDeps } from './console/app.js';
import { type OcspDeps, handleOcsp } from './ocsp-route.js';
import { type VerifyDeps, handleVerify } from './verify-api.js';
import { type Reply, json } from './reply.js';

export interface Readiness {
  ready: boolean;
  /** One line per part: "radius: listening on …", "store: open, 12 certificates"… */
  parts: Record<string, string>;
}

export interface HttpDeps {
  readiness: () => Readiness;
  registry: Registry;
  /** Absent when no admin token is configured: the admin API is then off (404). */
  admin: () => AdminDeps | undefined;
  /** The helpdesk console under /console/; absent or undefined (no admin token): off (404). */
  console?: () => ConsoleDeps | undefined;
  /** POST /v1/verify; undefined when neither the admin nor the verify token is set. */
  verify?: () => VerifyDeps | undefined;
  /** The OCSP responder at /ocsp; undefined when ocspResponder is not configured. */
  ocsp?: () => OcspDeps | undefined;
  onError: (err: Error) => void;
}

/**
 * The http listener: /healthz, /readyz, /metrics, and the admin API under /v1/. With `tls` it is
 * HTTPS (it carries the admin token); without, keep it on loopback.
 */
export function createHttpServer(deps: HttpDeps, tls?: { certificate: string; privateKey: string }): http.Server {
  // Console sessions and login-failure counts live as long as the listener.
  const consoleApp = new ConsoleApp({ registry: deps.registry });
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    route(req, deps, consoleApp).then(
      (r) => write(res, r),
      (err: Error) => {
        deps.onError(err);
        write(res, json(500, { error: 'internal_error', message: 'see the gateway log' }));
      },
    );
  };
  return tls ? https.createServer({ cert: readFileSync(tls.certificate), key: readFileSync(tls.privateKey), minVersion: 'TLSv1.2' }, handler) : http.createServer(handler);
}

async function route(req: http.IncomingMessage, deps: HttpDeps, consoleApp: ConsoleApp): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/console' || url.pathname.startsWith('/console/')) {
    const c = deps.console?.();
    if (!c) return json(404, { error: 'console_off', message: 'the console is off: set http.adminToken (or adminTokenFile/adminTokenEnv)' });
    return consoleApp.handle(req, url, c);
  }
  if (url.pathname === '/ocsp' || url.pathname.startsWith('/ocsp/')) {
    const o = deps.ocsp?.();
    if (!o) return json(404, { error: 'ocsp_off', message: 'the OCSP responder is off: configure ocspResponder (certificate, privateKey)' });
    return handleOcsp(req, url, o);
  }
  if (url.pathname === '/v1/verify') {
    const v = deps.verify?.();
    if (v) return handleVerify(req, url, v);
  }
  if (url.pathname.startsWith('/v1/')) {
    const admin = deps.admin();
    if (!admin) return json(404, { error: 'admin_api_off', message: 'the admin API is off: set http.adminToken (or adminTokenFile/adminTokenEnv)' });
    return handleAdmin(req, url, admin);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'method_not_allowed', message: 'use GET' });
  switch (url.pathname) {
    case '/healthz':
      return json(200, { status: 'alive' });
    case '/readyz': {
      const r = deps.readiness();
      return json(r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not_ready', parts: r.parts });
    }
    case '/metrics':
      return { status: 200, headers: { 'content-type': deps.registry.contentType }, body: await deps.registry.metrics() };
    default:
      return json(404, { error: 'not_found', message: `no such endpoint: ${url.pathname}` });
  }
}

function write(res: http.ServerResponse, r: Reply) {
  res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
  res.end(r.body);
}

export async function listenHttp(server: http.Server, e: Endpoint): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: e.host, port: e.port, ipv6Only: e.family === 6 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

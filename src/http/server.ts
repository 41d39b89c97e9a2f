import http from 'node:http';
import type { Endpoint } from '../config/endpoint.js';
import type { Registry } from 'prom-client';

export interface Readiness {
  ready: boolean;
  /** One line per part: "radius listeners: ok", "store: not open"... */
  parts: Record<string, string>;
}

export interface HttpDeps {
  readiness: () => Readiness;
  registry: Registry;
}

/** /healthz (alive), /readyz (ready to answer logins, with the part that is not), /metrics. */
export function createHttpServer(deps: HttpDeps): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method_not_allowed', message: 'use GET' });
    switch (url.pathname) {
      case '/healthz':
        return send(res, 200, { status: 'alive' });
      case '/readyz': {
        const r = deps.readiness();
        return send(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not_ready', parts: r.parts });
      }
      case '/metrics':
        deps.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': deps.registry.contentType });
            res.end(text);
          },
          (e: Error) => send(res, 500, { error: 'metrics_failed', message: e.message }),
        );
        return;
      default:
        return send(res, 404, { error: 'not_found', message: `no such endpoint: ${url.pathname}` });
    }
  });
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

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

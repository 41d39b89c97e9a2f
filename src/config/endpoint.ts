import { isIP } from 'node:net';

export interface Endpoint {
  host: string;
  port: number;
  family: 4 | 6;
}

/** "0.0.0.0:1812", "[::]:1812", "127.0.0.1:0" → Endpoint; a string message when it is not one. */
export function parseEndpoint(s: string): Endpoint | string {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:[\]]+):(\d+)$/.exec(s);
  if (!m) return `${JSON.stringify(s)} is not host:port (IPv6 as [addr]:port)`;
  const host = m[1]!;
  const port = Number(m[2]);
  const family = isIP(host);
  if (family === 0) return `${JSON.stringify(host)} is not an IP address`;
  if (port > 65535) return `port ${port} is out of range`;
  return { host, port, family: family as 4 | 6 };
}

export const formatEndpoint = (e: { host: string; port: number; family: 4 | 6 }) =>
  e.family === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;

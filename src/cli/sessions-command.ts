// `certgate sessions …`: live sessions of the RUNNING gateway, through its admin API (the gateway
// owns the table: it hears the accounting, holds the retransmission state and ends sessions on
// ACK). The API's address and token come from the same config file (http.listen,
// http.adminToken); --url points elsewhere (e.g. when http.listen uses port 0, or another host).
// With http.tls the gateway's certificate is pinned to the configured http.tls.certificate.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls, { type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import type { Config } from '../config/load.js';
import { formatEndpoint } from '../config/endpoint.js';
import type { DisconnectReport, SessionView } from '../sessions/live-sessions.js';
import { describeReport } from '../sessions/console-source.js';
import { table } from './store-command.js';

export const SESSIONS_USAGE = `usage: certgate sessions --config FILE <command> [--url URL]
  list [--member EMAIL] [--json]              live sessions (newest first)
  disconnect (--member EMAIL | --id ID) [--json]
                                              RFC 5176 Disconnect-Request to the NAS of each session;
                                              waits for the answers (ACK, NAK, or none after the retries)
The running gateway is asked through its admin API: http.listen and http.adminToken from the config,
or --url http(s)://HOST:PORT.`;

export interface SessionsCommandDeps {
  out: (line: string) => void;
  err: (line: string) => void;
  /** The admin API call; tests replace it. */
  request?: (method: 'GET' | 'POST', url: URL, token: Buffer, body: string | undefined) => Promise<{ status: number; body: unknown }>;
}

class UsageError extends Error {}

export async function sessionsCommand(config: Config, argv: string[], deps: SessionsCommandDeps): Promise<number> {
  const [sub, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { member: { type: 'string' }, id: { type: 'string' }, url: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: false, strict: true });
    if (sub !== 'list' && sub !== 'disconnect') throw new UsageError(sub === undefined ? 'missing command' : `unknown command "${sub}"`);
  } catch (e) {
    if (sub === 'help' || sub === '--help' || sub === '-h') {
      deps.out(SESSIONS_USAGE);
      return 0;
    }
    deps.err(`certgate sessions: ${(e as Error).message}`);
    deps.err(SESSIONS_USAGE);
    return 2;
  }
  const v = parsed.values;
  const token = config.http.adminToken;
  if (!token) {
    deps.err('certgate sessions: the admin API is off in this config (set http.adminToken): the running gateway cannot be asked');
    return 2;
  }
  let base: URL;
  try {
    base = baseUrl(config, v.url);
  } catch (e) {
    deps.err(`certgate sessions: ${(e as Error).message}`);
    return 2;
  }
  const request = deps.request ?? ((method, url, tok, body) => adminRequest(method, url, tok, body, config.http.tls?.certificate));
  try {
    if (sub === 'list') {
      const url = new URL('/v1/sessions', base);
      url.searchParams.set('limit', '10000');
      if (v.member) url.searchParams.set('member', v.member);
      const r = await request('GET', url, token, undefined);
      if (r.status !== 200) return apiError(r, deps);
      const sessions = (r.body as { sessions: SessionView[] }).sessions;
      if (v.json) deps.out(JSON.stringify(sessions, null, 2));
      else printTable(sessions, deps);
      return 0;
    }
    if ((v.member === undefined) === (v.id === undefined)) {
      deps.err('certgate sessions disconnect: give exactly one of --member EMAIL or --id ID');
      return 2;
    }
    const r = await request('POST', new URL('/v1/sessions/disconnect', base), token, JSON.stringify(v.member !== undefined ? { member: v.member } : { id: v.id }));
    if (r.status !== 200) return apiError(r, deps);
    const results = (r.body as { results: DisconnectReport[] }).results;
    if (v.json) deps.out(JSON.stringify(results, null, 2));
    else for (const x of results) deps.out(`${x.session.id} ${x.session.member} ${x.session.acctSessionId} (${x.session.nasIdentifier ?? x.session.nas}): ${x.outcome}: ${describeReport(x)}`);
    return results.every((x) => x.ended) ? 0 : 1;
  } catch (e) {
    deps.err(`certgate sessions: cannot reach the gateway's admin API at ${base.origin}: ${(e as Error).message}`);
    return 3;
  }
}

/** http.listen, with an unspecified address asked on loopback. */
export function baseUrl(config: Config, override: string | undefined): URL {
  if (override !== undefined) {
    const u = new URL(override);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--url must be http:// or https://, got ${override}`);
    return u;
  }
  const l = config.http.listen;
  if (!l) throw new UsageError('http.listen is not set in the config: give --url');
  if (l.port === 0) throw new UsageError('http.listen uses port 0 (any): give --url with the port the gateway logged');
  const host = l.host === '0.0.0.0' ? '127.0.0.1' : l.host === '::' ? '::1' : l.host;
  return new URL(`${config.http.tls ? 'https' : 'http'}://${formatEndpoint({ ...l, host })}`);
}

function apiError(r: { status: number; body: unknown }, deps: SessionsCommandDeps): number {
  const b = r.body as { error?: string; message?: string } | undefined;
  deps.err(`certgate sessions: ${b?.message ?? `HTTP ${r.status}`}${b?.error ? ` (${b.error})` : ''}`);
  return r.status === 404 || r.status === 400 ? 1 : 3;
}

function printTable(sessions: SessionView[], deps: SessionsCommandDeps): void {
  if (sessions.length === 0) return deps.out('no live sessions');
  const rows = [['ID', 'MEMBER', 'SERIAL', 'NAS', 'ACCT-SESSION-ID', 'CALLING-STATION-ID', 'STARTED', 'UPDATED']];
  const t = (s: string) => s.replace(/\.\d{3}Z$/, 'Z');
  for (const s of sessions) rows.push([s.id, s.member, s.serial, s.nasIdentifier ?? s.nas, s.acctSessionId, s.callingStationId ?? '-', t(s.startedAt), t(s.updatedAt)]);
  for (const line of table(rows)) deps.out(line);
}

/**
 * One admin API call. With `pinCert` an https server must present exactly that certificate, checked
 * on the TLS connection before the token is sent over it.
 */
async function adminRequest(method: 'GET' | 'POST', url: URL, token: Buffer, body: string | undefined, pinCert: string | undefined): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token.toString('utf8')}` };
  if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  let socket: TLSSocket | undefined;
  if (url.protocol === 'https:' && pinCert !== undefined) {
    const pinned = new X509Certificate(readFileSync(pinCert)).fingerprint256;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    socket = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tls.connect({ host, port: Number(url.port || 443), rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) }, () => {
        if (s.getPeerCertificate().fingerprint256 === pinned) return resolve(s);
        s.destroy();
        reject(new Error(`the server's certificate is not http.tls.certificate (${pinCert})`));
      });
      s.once('error', reject);
    });
  }
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = { method, headers, ...(socket ? { createConnection: () => socket } : {}) };
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: { message: text.slice(0, 200) } });
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

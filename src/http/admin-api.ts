import type http from 'node:http';
import type { DecisionRing } from '../obs/decision-ring.js';
import { StoreUnavailableError, type CertStore } from '../store/store.js';
import { type CertRecord, parseReason, REVOCATION_REASONS } from '../store/types.js';
import { parseCertificates, tryNormaliseSerial } from '../verify/cert-facts.js';
import { bearerMatches } from './auth.js';
import { type Reply, json } from './reply.js';
import { type SessionsAdmin, handleSessions } from './sessions-api.js';

export interface AdminDeps {
  token: Buffer;
  store: CertStore;
  /** Called after every store write so the change is in force at once, not at the next poll. */
  changed: () => unknown;
  decisions: DecisionRing;
  now: () => Date;
  audit: (action: string, fields: Record<string, unknown>) => void;
  /** Live sessions and Disconnect (/v1/sessions); absent: those endpoints answer 404. */
  sessions?: SessionsAdmin | undefined;
}

const MAX_BODY = 1 << 20;

/**
 * The admin API for the issuing system and the helpdesk. Every answer is JSON; every refusal is a
 * 4xx with a stable `error` code and a `message` that says what to fix.
 */
export async function handleAdmin(req: http.IncomingMessage, url: URL, deps: AdminDeps): Promise<Reply> {
  try {
    return await route(req, url, deps);
  } catch (e) {
    // The store is down (PostgreSQL unreachable): say so; nothing was acknowledged. Logins go on
    // from the gateway's snapshot meanwhile.
    if (e instanceof StoreUnavailableError) return json(503, { error: 'store_unavailable', message: `${e.message}; nothing was written, retry later` });
    throw e;
  }
}

async function route(req: http.IncomingMessage, url: URL, deps: AdminDeps): Promise<Reply> {
  if (!bearerMatches(req, [deps.token])) return json(401, { error: 'unauthorized', message: 'missing or wrong bearer token (Authorization: Bearer …)' });
  const path = url.pathname;
  if (path === '/v1/certificates' && req.method === 'POST') return addCertificates(req, deps);
  if (path === '/v1/certificates' && req.method === 'GET') {
    const member = url.searchParams.get('member');
    const serial = url.searchParams.get('serial');
    if (!member && !serial) return json(400, { error: 'missing_query', message: 'give ?member=EMAIL or ?serial=HEX' });
    let rows: CertRecord[];
    if (member) rows = await deps.store.byMember(member.toLowerCase());
    else {
      const s = tryNormaliseSerial(serial!);
      if (!s) return json(400, { error: 'bad_serial', message: `${JSON.stringify(serial)} is not a hex serial` });
      rows = await deps.store.bySerial(s);
    }
    return json(200, { certificates: rows.map(view) });
  }
  const revoke = /^\/v1\/certificates\/([^/]+)\/revoke$/.exec(path);
  if (revoke && req.method === 'POST') return revokeCertificate(req, decodeURIComponent(revoke[1]!), deps);
  if (path === '/v1/decisions' && req.method === 'GET') {
    const member = url.searchParams.get('member')?.toLowerCase();
    const serial = url.searchParams.get('serial');
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 50) || 50, 1000);
    if (!member && !serial) return json(400, { error: 'missing_query', message: 'give ?member=EMAIL or ?serial=HEX' });
    const s = serial ? tryNormaliseSerial(serial) : null;
    const items = deps.decisions.recent((d) => (member ? d.member === member || d.outerIdentity?.toLowerCase() === member : d.serial === s), limit);
    return json(200, { decisions: items });
  }
  if (path === '/v1/sessions' || path.startsWith('/v1/sessions/')) return handleSessions(req, url, deps.sessions, deps.audit, () => readBody(req));
  if (/^\/v1\/(certificates|decisions)/.test(path)) return json(405, { error: 'method_not_allowed', message: `${req.method} is not allowed on ${path}` });
  return json(404, { error: 'not_found', message: `no such endpoint: ${path}` });
}

async function addCertificates(req: http.IncomingMessage, deps: AdminDeps): Promise<Reply> {
  const body = await readBody(req);
  if (body === undefined) return json(413, { error: 'too_large', message: `body over ${MAX_BODY} bytes` });
  let ders: Buffer[];
  try {
    ders = parseCertificates(body);
  } catch {
    ders = [];
  }
  if (ders.length === 0) return json(400, { error: 'no_certificate', message: 'the body must hold one or more PEM (or one DER) certificates' });
  const now = deps.now();
  // One transaction: a 503 (store unreachable) means none of them was written.
  const results = await deps.store.transaction(async (tx) => {
    const out = [];
    for (const der of ders) out.push(await tx.add(der, now));
    return out;
  });
  await refreshQuietly(deps);
  const view2 = results.map((r) => (r.outcome === 'refused' ? r : { outcome: r.outcome, certificate: view(r.record) }));
  for (const r of results) deps.audit('certificate_add', r.outcome === 'refused' ? { outcome: r.outcome, message: r.message } : { outcome: r.outcome, serial: r.record.serial, member: r.record.member });
  const refused = results.filter((r) => r.outcome === 'refused');
  if (refused.length === results.length) return json(422, { error: 'refused', message: refused.map((r) => r.message).join('; '), results: view2 });
  return json(results.some((r) => r.outcome === 'added') ? 201 : 200, { results: view2 });
}

async function revokeCertificate(req: http.IncomingMessage, rawSerial: string, deps: AdminDeps): Promise<Reply> {
  const serial = tryNormaliseSerial(rawSerial);
  if (!serial) return json(400, { error: 'bad_serial', message: `${JSON.stringify(rawSerial)} is not a hex serial` });
  const body = await readBody(req);
  if (body === undefined) return json(413, { error: 'too_large', message: `body over ${MAX_BODY} bytes` });
  let parsed: unknown;
  try {
    parsed = body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    return json(400, { error: 'bad_json', message: 'the body must be JSON such as {"reason": "keyCompromise"}' });
  }
  const input = (parsed ?? {}) as { reason?: unknown; issuer?: unknown };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return json(400, { error: 'bad_json', message: 'the body must be a JSON object' });
  const reason = typeof input.reason === 'string' ? parseReason(input.reason) : input.reason === undefined ? 'unspecified' : null;
  if (!reason) return json(400, { error: 'bad_reason', message: `reason must be one of ${REVOCATION_REASONS.join(', ')}` });
  if (input.issuer !== undefined && typeof input.issuer !== 'string') return json(400, { error: 'bad_issuer', message: 'issuer must be a string (the issuer DN)' });
  const r = await deps.store.revoke(serial, reason, deps.now(), input.issuer as string | undefined);
  await refreshQuietly(deps);
  switch (r.outcome) {
    case 'revoked':
      deps.audit('certificate_revoke', { serial, member: r.record.member, reason });
      return json(200, { outcome: 'revoked', certificate: view(r.record) });
    case 'already_revoked':
      return json(200, { outcome: 'already_revoked', certificate: view(r.record) });
    case 'not_found':
      return json(404, { error: 'not_found', message: `no certificate with serial ${serial} in the store` });
    case 'ambiguous':
      return json(409, { error: 'ambiguous', message: 'several issuers have this serial: add "issuer"', issuers: r.records.map((x) => x.issuer) });
  }
}

/** The API's view of a record: dates as ISO strings. */
export function view(r: CertRecord) {
  return {
    serial: r.serial,
    issuer: r.issuer,
    member: r.member,
    subject: r.subject,
    fingerprint: r.fingerprint,
    notBefore: r.notBefore.toISOString(),
    notAfter: r.notAfter.toISOString(),
    status: r.status,
    revocationReason: r.revocationReason,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    supersededBy: r.supersededBy,
  };
}

/** The write is committed; bring this gateway's snapshot up to it now (others follow by NOTIFY). */
async function refreshQuietly(deps: AdminDeps): Promise<void> {
  try {
    await deps.changed();
  } catch {
    // The background refresher retries; the write itself is acknowledged.
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > MAX_BODY) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

// POST /v1/verify: the gateway's decision on a certificate chain, for VPN concentrators and scripts
// (an OpenVPN tls-verify hook: examples/openvpn-tls-verify.sh). The same decide() as RADIUS logins,
// so the same reasons. Body: JSON {"chain": "PEM…", "identity": "optional"}, or the PEM itself
// (identity then in ?identity=). Allowed with the admin token or the separate verify token, which
// can do nothing else.
import { X509Certificate } from 'node:crypto';
import type http from 'node:http';
import type { DecideInput } from '../verify/decide.js';
import type { Decision } from '../verify/reasons.js';
import { parseCertificates } from '../verify/cert-facts.js';
import { bearerMatches } from './auth.js';
import { readBody } from './body.js';
import { type Reply, json } from './reply.js';

export interface VerifyDeps {
  adminToken: Buffer | undefined;
  verifyToken: Buffer | undefined;
  decide: (input: DecideInput) => Promise<Decision>;
  now: () => Date;
  /** Metrics and the decision log. */
  decided: (d: Decision) => void;
}

const MAX_BODY = 256 * 1024;
const MAX_CHAIN = 10;
const MAX_IDENTITY = 253;

// Outcomes that come from the issued-certificate store's record of the certificate.
const STORE_REASONS: ReadonlySet<string> = new Set(['ok', 'revoked_store', 'superseded', 'not_issued']);

/**
 * Which source settled revocation: a CRL or OCSP when one revoked (or vouched for) the leaf, else the
 * store when it decided; null when the decision never got that far (chain, time, usage).
 */
function revocationSource(d: Decision): 'crl' | 'ocsp' | 'store' | null {
  const facts = d.revocation?.facts ?? [];
  const deciding = facts.find((f) => f.status === 'revoked') ?? facts.find((f) => f.serial === d.serial);
  if (deciding && deciding.source !== 'none') return deciding.source;
  return STORE_REASONS.has(d.reason) ? 'store' : null;
}

const bad = (status: number, error: string, message: string): Reply => json(status, { error, message });

export async function handleVerify(req: http.IncomingMessage, url: URL, deps: VerifyDeps): Promise<Reply> {
  if (req.method !== 'POST') return bad(405, 'method_not_allowed', 'use POST with a PEM chain');
  if (!bearerMatches(req, [deps.adminToken, deps.verifyToken])) return bad(401, 'unauthorized', 'missing or wrong bearer token (Authorization: Bearer <http.verifyToken or http.adminToken>)');
  const body = await readBody(req, MAX_BODY);
  if (body === undefined) return bad(413, 'too_large', `body over ${MAX_BODY} bytes`);

  let pem: string;
  let identity: string | null = url.searchParams.get('identity');
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const text = body.toString('utf8');
  if (type === 'application/json' || (type === '' && text.trimStart().startsWith('{'))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return bad(400, 'bad_json', 'the body must be JSON such as {"chain": "-----BEGIN CERTIFICATE-----…", "identity": "alice@jaist.ac.jp"}');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return bad(400, 'bad_json', 'the body must be a JSON object');
    const o = parsed as { chain?: unknown; identity?: unknown };
    if (typeof o.chain !== 'string') return bad(400, 'missing_chain', '"chain" must be a string holding the PEM certificates, leaf first');
    if (o.identity !== undefined && o.identity !== null && typeof o.identity !== 'string') return bad(400, 'bad_identity', '"identity" must be a string when given');
    pem = o.chain;
    if (typeof o.identity === 'string') identity = o.identity;
  } else {
    pem = text;
  }
  if (identity !== null && (identity.length === 0 || identity.length > MAX_IDENTITY)) return bad(400, 'bad_identity', `identity must be 1..${MAX_IDENTITY} characters`);

  const chain = pem.includes('-----BEGIN') ? parseCertificates(Buffer.from(pem, 'latin1')) : [];
  if (chain.length === 0) return bad(400, 'no_certificate', 'no PEM certificate (-----BEGIN CERTIFICATE-----) in the chain');
  if (chain.length > MAX_CHAIN) return bad(400, 'chain_too_long', `at most ${MAX_CHAIN} certificates`);
  for (const [i, der] of chain.entries()) {
    try {
      new X509Certificate(der);
    } catch (e) {
      return bad(400, 'bad_certificate', `certificate ${i + 1} of the chain does not parse: ${(e as Error).message}`);
    }
  }

  const d = await deps.decide({ chain, outerIdentity: identity, now: deps.now() });
  deps.decided(d);
  return json(200, {
    decision: d.result,
    reason: d.reason,
    member: d.member,
    serial: d.serial,
    issuer: d.issuer,
    revocationSource: revocationSource(d),
    detail: d.detail ?? null,
    /** Per certificate below the anchor, what CRLs / OCSP said (empty without `revocation:`). */
    revocation: d.revocation?.facts ?? [],
  });
}

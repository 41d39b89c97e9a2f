// Every outcome of a login, a `certgate check` or an API verify is one of these values. Stable
// strings: they are metric labels, log fields and API answers.
import type { PolicyReply, RuleRef } from '../policy/types.js';
import type { RevocationSummary } from '../revocation/types.js';

export const REJECT_REASONS = [
  'no_certificate', // the peer sent no client certificate
  'bad_certificate', // a certificate that does not parse
  'untrusted_issuer', // does not chain to a configured trust anchor
  'bad_signature', // names a trusted issuer but the signature does not verify
  'weak_signature', // MD5/SHA-1 (or unknown) signature algorithm below the anchor
  'not_yet_valid',
  'expired',
  'chain_expired', // an intermediate or anchor is outside its validity
  'bad_eku', // leaf lacks the clientAuth extended key usage
  'no_member', // no rfc822Name / emailAddress to say who the member is
  'not_issued', // chains to the CA but JAIST did not issue it to a member (not in the store)
  'superseded', // the member has a newer certificate
  'revoked_store', // revoked by an operator in the store
  'revoked_crl', // listed on its issuer's CRL (the leaf or an intermediate)
  'revoked_ocsp', // the OCSP responder says revoked
  'ocsp_unknown', // the OCSP responder does not know the certificate (unknown is not good)
  'ocsp_unavailable', // no OCSP answer (responder down, error status, invalid response) and nothing cached
  'crl_stale', // the issuer's CRL is past nextUpdate + crlPolicy.maxStaleSeconds, or none could be loaded
  'realm', // the outer identity's realm is missing or not ours
  'identity_mismatch', // a non-anonymous outer identity names someone else
  'tls_failed', // the TLS handshake failed (alert, protocol error)
  'eap_method_refused', // the peer NAKed EAP-TLS
  'eap_protocol', // the EAP conversation broke the protocol (reassembly limit, rounds, unknown State)
  'paced', // too many recent rejects for this Calling-Station-Id: refused for a while (docs/hardening.md)
  'policy', // accepted by the decision pipeline, refused by a `reject: true` policy rule (docs/policy-and-sessions.md)
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];
export type Reason = 'ok' | RejectReason;

export interface Decision {
  result: 'accept' | 'reject';
  reason: Reason;
  /** The member (e-mail) the certificate belongs to, when known. */
  member: string | null;
  serial: string | null;
  issuer: string | null;
  /** Free text for people (logs, check output); never a secret. */
  detail?: string;
  /** What CRLs / OCSP said about each certificate below the anchor, when revocation is configured. */
  revocation?: RevocationSummary;
  /** The authorization policy rule that matched (src/policy/); null when none did. Set once the policy ran. */
  rule?: RuleRef | null;
  /** On an accept: the reply attributes the matched rule asks for. */
  reply?: PolicyReply;
}

export const reject = (reason: RejectReason, facts: Partial<Omit<Decision, 'result' | 'reason'>> = {}): Decision => ({
  result: 'reject',
  reason,
  member: facts.member ?? null,
  serial: facts.serial ?? null,
  issuer: facts.issuer ?? null,
  ...(facts.detail !== undefined ? { detail: facts.detail } : {}),
});

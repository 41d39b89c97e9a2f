// What the responder says for a certificate's standing in the decision pipeline:
//   current member certificate    → good
//   revoked                       → revoked, with the store's reason and time
//   superseded by a renewal       → revoked, reason superseded, time = the renewal's notBefore
//   never issued to a member      → revoked, reason certificateHold, time 1970-01-01T00:00:00Z, and
//                                   the Extended Revoked Definition extension (RFC 6960 2.2, 4.4.8)
// Never-issued is `revoked`, not `unknown`: the UPKI CA issues to many universities, so a serial
// it issued but we did not is someone else's member, and many VPN products treat `unknown` as
// "let in" (or make that a checkbox). `revoked` is refused by every client.
import { REASON_CODES, parseReason } from '../store/types.js';
import type { Decision } from '../verify/reasons.js';
import type { Standing } from '../verify/standing.js';
import type { SingleStatus } from './response.js';

export const NEVER_ISSUED_TIME = new Date(0);

export interface OcspStatus {
  status: SingleStatus;
  /** Needs the Extended Revoked Definition extension. */
  nonIssued: boolean;
  /** Changes exactly when the answer would: a cached response with another key is stale. */
  key: string;
  /** For metrics and logs: good, revoked, superseded, not_issued, unknown. */
  label: 'good' | 'revoked' | 'superseded' | 'not_issued' | 'unknown';
}

/** A revocation time after `now` would be refused by clients (it must not follow producedAt). */
const notAfterNow = (d: Date, now: Date): Date => (d.getTime() > now.getTime() ? now : d);

export function ocspStatus(s: Standing, now: Date): OcspStatus {
  switch (s.status) {
    case 'current':
      return { status: { kind: 'good' }, nonIssued: false, key: 'good', label: 'good' };
    case 'revoked': {
      const at = notAfterNow(s.revokedAt ?? s.record.addedAt, now);
      const reason = REASON_CODES[s.reason];
      return { status: { kind: 'revoked', at, reason }, nonIssued: false, key: `revoked:${reason}:${at.getTime()}`, label: 'revoked' };
    }
    case 'superseded': {
      const at = notAfterNow(s.since, now);
      return { status: { kind: 'revoked', at, reason: REASON_CODES.superseded }, nonIssued: false, key: `superseded:${at.getTime()}`, label: 'superseded' };
    }
    case 'not_issued':
      return { status: { kind: 'revoked', at: NEVER_ISSUED_TIME, reason: REASON_CODES.certificateHold }, nonIssued: true, key: 'not_issued', label: 'not_issued' };
  }
}

/**
 * What the full decision (CRLs and upstream OCSP, when `revocation:` is configured) adds for a
 * certificate the store calls current: revoked on a CRL or by the upstream responder → revoked
 * (an intermediate revoked → cACompromise at its time); upstream `unknown` → unknown; no usable
 * answer (responder down, CRL stale, policy fail-closed) → 'tryLater' (RFC 6960 2.3: try again).
 * null: nothing to add (accepted, or refused for a reason that is not about revocation).
 */
export function decisionStatus(d: Decision, now: Date): OcspStatus | 'tryLater' | null {
  switch (d.reason) {
    case 'revoked_crl':
    case 'revoked_ocsp': {
      const facts = d.revocation?.facts ?? [];
      const leaf = facts.find((f) => f.status === 'revoked' && f.serial === d.serial);
      const fact = leaf ?? facts.find((f) => f.status === 'revoked');
      const name = leaf ? parseReason(leaf.revocationReason ?? 'unspecified') ?? 'unspecified' : 'cACompromise';
      const when = fact?.revokedAt ? new Date(fact.revokedAt) : now;
      const at = notAfterNow(Number.isNaN(when.getTime()) ? now : when, now);
      const reason = REASON_CODES[name];
      return { status: { kind: 'revoked', at, reason }, nonIssued: false, key: `${d.reason}:${reason}:${at.getTime()}`, label: 'revoked' };
    }
    case 'ocsp_unknown':
      return { status: { kind: 'unknown' }, nonIssued: false, key: 'unknown', label: 'unknown' };
    case 'ocsp_unavailable':
    case 'crl_stale':
      return 'tryLater';
    default:
      return null;
  }
}

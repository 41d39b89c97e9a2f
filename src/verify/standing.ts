// The membership-and-revocation step of the decision pipeline, on its own: what the issued-
// certificate store (and, as they are wired in, CRLs and upstream OCSP) says about one certificate.
// decide() runs it after the chain, time and usage checks; the OCSP responder, which gets only an
// issuer and a serial, runs it alone. One place, so both always agree.
import type { CertRecord, RevocationReason } from '../store/types.js';
import { type Decision, reject } from './reasons.js';

/** What the step needs from the issued-certificate store: an in-memory lookup. */
export interface StandingSource {
  lookup(issuer: string, serial: string): CertRecord | undefined;
}

/** Where a revocation status came from (the store today; CRL and OCSP sources add theirs). */
export type RevocationSource = 'store';

export type Standing =
  /** The member's current certificate, not revoked. */
  | { status: 'current'; record: CertRecord; source: RevocationSource }
  /** Never issued to a member: not in the store, or a different certificate holds that serial. */
  | { status: 'not_issued'; record: CertRecord | undefined; source: RevocationSource }
  /** Replaced by the member's newer certificate; `since` is that certificate's notBefore. */
  | { status: 'superseded'; record: CertRecord; by: string | null; since: Date; source: RevocationSource }
  | { status: 'revoked'; record: CertRecord; reason: RevocationReason; revokedAt: Date | null; source: RevocationSource };

/**
 * `fingerprint`: the SHA-256 of the certificate when the caller has it (a login does; an OCSP
 * request carries only the serial), so a different certificate reusing a serial is not taken for it.
 */
export function storeStanding(store: StandingSource, issuer: string, serial: string, fingerprint: string | null): Standing {
  const record = store.lookup(issuer, serial);
  if (!record || (fingerprint !== null && record.fingerprint !== fingerprint)) return { status: 'not_issued', record, source: 'store' };
  if (record.status === 'revoked') return { status: 'revoked', record, reason: record.revocationReason ?? 'unspecified', revokedAt: record.revokedAt, source: 'store' };
  if (record.status === 'superseded') {
    // When the member's newer certificate took over; without it (another issuer), when this one was recorded.
    const newer = record.supersededBy === null ? undefined : store.lookup(record.issuer, record.supersededBy);
    return { status: 'superseded', record, by: record.supersededBy, since: newer?.notBefore ?? record.addedAt, source: 'store' };
  }
  return { status: 'current', record, source: 'store' };
}

/** The refusal decide() gives for a standing other than current; null for current. */
export function standingRefusal(s: Standing, facts: { member: string | null; serial: string | null; issuer: string | null }): Decision | null {
  switch (s.status) {
    case 'current':
      return null;
    case 'not_issued':
      return reject('not_issued', { ...facts, detail: s.record ? 'a different certificate with this serial is recorded' : 'not in the issued-certificate store' });
    case 'revoked':
      return reject('revoked_store', { ...facts, member: s.record.member, detail: `revoked (${s.reason}) at ${s.revokedAt?.toISOString() ?? '?'}` });
    case 'superseded':
      return reject('superseded', { ...facts, member: s.record.member, detail: `replaced by certificate ${s.by ?? '?'}` });
  }
}

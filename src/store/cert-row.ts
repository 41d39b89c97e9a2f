// The certificates table as both stores read it: the same columns under the same names, and one
// mapping to CertRecord. The drivers differ only in types: SQLite gives epoch milliseconds and
// numbers, PostgreSQL (pg) Date objects and bigints as text.
import { parseReason, type CertRecord, type CertStatus } from './types.js';

export interface CertRow<Id extends number | string = number | string> {
  id: Id;
  issuer: string;
  serial: string;
  fingerprint: string;
  member: string;
  subject: string;
  not_before: Date | number;
  not_after: Date | number;
  status: CertStatus;
  revocation_reason: string | null;
  revoked_at: Date | number | null;
  superseded_by: string | null;
  added_at: Date | number;
  seq: number | string;
  der?: Buffer;
}

export const CERT_COLUMNS =
  'id, issuer, serial, fingerprint, member, subject, not_before, not_after, status, ' +
  'revocation_reason, revoked_at, superseded_by, added_at, seq';

export function certRecord(r: CertRow): CertRecord {
  return {
    issuer: r.issuer,
    serial: r.serial,
    fingerprint: r.fingerprint,
    member: r.member,
    subject: r.subject,
    notBefore: new Date(r.not_before),
    notAfter: new Date(r.not_after),
    status: r.status,
    // A reason name this version does not know still means "revoked": keep that, not the name.
    revocationReason: r.revocation_reason === null ? null : (parseReason(r.revocation_reason) ?? 'unspecified'),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
    supersededBy: r.superseded_by,
    addedAt: new Date(r.added_at),
    seq: Number(r.seq),
    ...(r.der !== undefined ? { der: r.der } : {}),
  };
}

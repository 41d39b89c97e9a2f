// Records of the issued-certificate store: the only source of membership (chaining to the shared
// UPKI CA proves nothing), so every layer shares these shapes.

export type CertStatus = 'valid' | 'superseded' | 'revoked';
export const CERT_STATUSES: readonly CertStatus[] = ['valid', 'superseded', 'revoked'];

// RFC 5280 CRLReason names, in code order (code 7 is unused, so the last three are shifted).
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export const REASON_CODES: Readonly<Record<RevocationReason, number>> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};

export function reasonCode(name: RevocationReason): number {
  return REASON_CODES[name];
}

// Spellings seen in the field that are not the RFC names: OpenSSL's `ca` writes "CACompromise",
// and "keyTime"/"CAkeyTime"/"holdInstruction" when a compromise time or hold OID was given.
const REASON_ALIASES: Readonly<Record<string, RevocationReason>> = {
  keytime: 'keyCompromise',
  cakeytime: 'cACompromise',
  holdinstruction: 'certificateHold',
};

/** Case-insensitive name (or alias) → RFC name; null when unknown. */
export function parseReason(name: string): RevocationReason | null {
  const key = name.trim().toLowerCase();
  for (const r of REVOCATION_REASONS) if (r.toLowerCase() === key) return r;
  return REASON_ALIASES[key] ?? null;
}

export interface CertRecord {
  issuer: string;
  serial: string;
  fingerprint: string;
  member: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  status: CertStatus;
  revocationReason: RevocationReason | null;
  revokedAt: Date | null;
  /** Serial of the member's current certificate that replaced this one. */
  supersededBy: string | null;
  addedAt: Date;
  /** Store change sequence number of the last write to this row. */
  seq: number;
  /**
   * The certificate itself: present on changesSince rows (the snapshot keeps it, so the OCSP
   * responder can run the full decision, CRLs included, on a certificate it is only given the
   * serial of); absent from list/byMember answers.
   */
  der?: Buffer;
}

export type AddOutcome =
  | { outcome: 'added' | 'exists'; record: CertRecord }
  | { outcome: 'refused'; serial: string | null; message: string };

export type RevokeOutcome =
  | { outcome: 'revoked'; record: CertRecord }
  | { outcome: 'already_revoked'; record: CertRecord }
  | { outcome: 'not_found' }
  | { outcome: 'ambiguous'; records: CertRecord[] };

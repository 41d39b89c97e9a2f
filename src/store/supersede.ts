import type { CertStatus } from './types.js';

/** What the rule needs of a stored certificate. */
export interface MemberCert {
  id: number | string;
  serial: string;
  status: CertStatus;
  superseded_by: string | null;
}

export interface StatusChange {
  id: number | string;
  status: 'valid' | 'superseded';
  supersededBy: string | null;
}

/**
 * UPKI gives a member one certificate at a time. `rows` are all of a member's certificates, newest
 * first (latest notBefore, then latest added). The newest is current, even when revoked, so
 * revoking it never brings an older one back; every other non-revoked certificate is superseded by
 * it. Derived from all rows, so insertion order cannot matter. One rule for every store: each
 * applies the changes in its own transaction.
 */
export function settleMember(rows: readonly MemberCert[]): StatusChange[] {
  const [current, ...older] = rows;
  if (current === undefined) return [];
  const changes: StatusChange[] = [];
  if (current.status === 'superseded') changes.push({ id: current.id, status: 'valid', supersededBy: null });
  for (const r of older) {
    if (r.status === 'revoked') continue;
    if (r.status !== 'superseded' || r.superseded_by !== current.serial) changes.push({ id: r.id, status: 'superseded', supersededBy: current.serial });
  }
  return changes;
}

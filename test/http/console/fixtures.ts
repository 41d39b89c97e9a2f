// In-process fixtures for the console: records built directly (no certificates needed), a store
// that keeps them in memory, and a ring of decisions.
import { DecisionRing, type DecisionRecord } from '../../../src/obs/decision-ring.js';
import type { ConsoleDeps, ConsoleStore, LiveSessionSource } from '../../../src/http/console/deps.js';
import type { CertRecord, RevocationReason, RevokeOutcome } from '../../../src/store/types.js';

export const NOW = new Date('2026-11-20T10:00:00Z');
export const TOKEN = 'console-test-token-0123456789';
const DAY = 86_400_000;

export function record(p: Partial<CertRecord> & { serial: string; member: string }): CertRecord {
  return {
    issuer: 'CN=Demo UPKI CA',
    fingerprint: `fp-${p.serial}`,
    subject: `CN=${p.member}`,
    notBefore: new Date(NOW.getTime() - 100 * DAY),
    notAfter: new Date(NOW.getTime() + 265 * DAY),
    status: 'valid',
    revocationReason: null,
    revokedAt: null,
    supersededBy: null,
    addedAt: new Date(NOW.getTime() - 100 * DAY),
    seq: 1,
    ...p,
  };
}

export function decision(p: Partial<DecisionRecord>): DecisionRecord {
  return {
    time: new Date(NOW.getTime() - 60_000).toISOString(),
    result: 'reject',
    reason: 'identity_mismatch',
    member: 'alice@jaist.ac.jp',
    serial: '1001',
    issuer: 'CN=Demo UPKI CA',
    outerIdentity: 'bob@jaist.ac.jp',
    callingStationId: '02-00-00-00-00-01',
    client: 'ap-library',
    nas: '10.1.2.3',
    tlsVersion: 'TLSv1.3',
    resumed: false,
    durationMs: 12,
    ...p,
  };
}

export class MemoryStore implements ConsoleStore {
  constructor(readonly records: CertRecord[]) {}
  byMember(member: string): CertRecord[] {
    return this.records.filter((r) => r.member === member).sort((a, b) => b.notBefore.getTime() - a.notBefore.getTime());
  }
  list(): CertRecord[] {
    return [...this.records];
  }
  revoke(serial: string, reason: RevocationReason, now: Date, issuer?: string): RevokeOutcome {
    const rows = this.records.filter((r) => r.serial === serial && (issuer === undefined || r.issuer === issuer));
    const [row] = rows;
    if (!row) return { outcome: 'not_found' };
    if (rows.length > 1) return { outcome: 'ambiguous', records: rows };
    if (row.status === 'revoked') return { outcome: 'already_revoked', record: row };
    Object.assign(row, { status: 'revoked', revocationReason: reason, revokedAt: now });
    return { outcome: 'revoked', record: row };
  }
}

export interface Fixture {
  deps: ConsoleDeps;
  store: MemoryStore;
  audits: { action: string; fields: Record<string, unknown> }[];
  clock: { now: Date };
}

export function fixture(opts: { tls?: boolean; sessions?: LiveSessionSource; records?: CertRecord[]; decisions?: DecisionRecord[] } = {}): Fixture {
  const store = new MemoryStore(
    opts.records ?? [
      record({ serial: '1000', member: 'alice@jaist.ac.jp', notBefore: new Date('2024-04-01T00:00:00Z'), status: 'superseded', supersededBy: '1001' }),
      record({ serial: '1001', member: 'alice@jaist.ac.jp', notBefore: new Date('2026-10-01T00:00:00Z') }),
      record({ serial: '2000', member: 'bob@jaist.ac.jp', notAfter: new Date(NOW.getTime() + 12 * DAY + 3_600_000) }),
    ],
  );
  const ring = new DecisionRing(100);
  for (const d of opts.decisions ?? [decision({})]) ring.push(d);
  const audits: Fixture['audits'] = [];
  const clock = { now: NOW };
  const deps: ConsoleDeps = {
    token: Buffer.from(TOKEN),
    store,
    changed: () => undefined,
    decisions: ring,
    now: () => clock.now,
    audit: (action, fields) => audits.push({ action, fields }),
    tls: opts.tls ?? false,
    revocation: () => ({ crl: null, ocsp: null }),
    realms: ['jaist.ac.jp'],
    sessions: opts.sessions,
  };
  return { deps, store, audits, clock };
}

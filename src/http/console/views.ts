// Loads what each page shows from the store, the decision ring and the sessions source.
import type { DecisionRecord } from '../../obs/decision-ring.js';
import { CERT_STATUSES, type CertRecord, type CertStatus } from '../../store/types.js';
import type { ConsoleDeps } from './deps.js';
import { type Html, html } from './html.js';
import { expiringSoon, loginsPerMinute, revocationHealth, topRejectReasons } from './overview-data.js';
import type { CertificateView } from './pages/certificate.js';
import type { MemberView } from './pages/member.js';
import type { Overview } from './pages/overview.js';
import { day, revocationWords } from './reason-text.js';

const DECISIONS_SHOWN = 25;
const HOUR = 3_600_000;

export async function withSerial(deps: ConsoleDeps, serial: string): Promise<CertRecord[]> {
  return deps.store.bySerial ? deps.store.bySerial(serial) : (await deps.store.list()).filter((r) => r.serial === serial);
}

/** Newest (current) first, as the store defines current: latest notBefore. */
const newestFirst = (rs: CertRecord[]): CertRecord[] => [...rs].sort((a, b) => b.notBefore.getTime() - a.notBefore.getTime());

/** The decision matches the member by certificate owner or by the identity typed on the device. */
export const forMember = (member: string) => (d: DecisionRecord): boolean => d.member === member || d.outerIdentity?.toLowerCase() === member;

/** Records of other members a decision names (identity typed vs owner), for its explanation. */
async function relatedRecords(deps: ConsoleDeps, decisions: DecisionRecord[], known: Set<string>): Promise<CertRecord[]> {
  const others = [...new Set(decisions.map((d) => d.member).filter((m): m is string => m !== null && !known.has(m)))].slice(0, 5);
  return (await Promise.all(others.map((m) => deps.store.byMember(m)))).flat();
}

export async function loadMember(deps: ConsoleDeps, member: string, now: Date, query: URLSearchParams): Promise<MemberView> {
  const certificates = newestFirst(await deps.store.byMember(member));
  const decisions = deps.decisions.recent(forMember(member), DECISIONS_SHOWN);
  const records = [...certificates, ...(await relatedRecords(deps, decisions, new Set([member])))];
  const sessions = deps.sessions ? await deps.sessions.forMember(member, now) : null;
  return {
    member,
    now,
    certificates,
    decisions,
    ctx: { records, realms: deps.realms },
    ringCapacity: deps.decisions.capacity,
    sessions,
    notice: notice(query, certificates),
  };
}

export async function loadCertificate(deps: ConsoleDeps, serial: string, now: Date, query: URLSearchParams): Promise<CertificateView> {
  const records = await withSerial(deps, serial);
  const members = [...new Set(records.map((r) => r.member))];
  const byMember = await Promise.all(members.map(async (m) => newestFirst(await deps.store.byMember(m))));
  const decisions = deps.decisions.recent((d) => d.serial === serial, DECISIONS_SHOWN);
  const related = await relatedRecords(deps, decisions, new Set(members));
  return {
    serial,
    now,
    records,
    currentSerials: new Set(byMember.map((rs) => rs[0]?.serial).filter((s): s is string => s !== undefined)),
    decisions,
    ctx: { records: [...byMember.flat(), ...related], realms: deps.realms },
    notice: notice(query, records),
  };
}

export async function loadOverview(deps: ConsoleDeps, now: Date): Promise<Overview> {
  const since = now.getTime() - HOUR - 60_000;
  const lastHour = deps.decisions.recent((d) => Date.parse(d.time) >= since, deps.decisions.capacity);
  const all = await deps.store.list();
  const counts = Object.fromEntries(CERT_STATUSES.map((s) => [s, 0])) as Record<CertStatus, number>;
  for (const r of all) counts[r.status]++;
  const allReasons = topRejectReasons(lastHour, now, HOUR, Infinity);
  return {
    now,
    buckets: loginsPerMinute(lastHour, now),
    topReasons: allReasons.slice(0, 8),
    revocation: revocationHealth(deps.revocation(), allReasons),
    expiring: expiringSoon(all, now),
    recentRejects: deps.decisions.recent((d) => d.result === 'reject', 10),
    ctx: { records: all, realms: deps.realms },
    counts,
  };
}

/** The outcome of an action, told from the store's state after a redirect (never from free text in the URL). */
function notice(query: URLSearchParams, records: CertRecord[]): Html | null {
  const revoked = query.get('revoked');
  if (revoked) {
    const r = records.find((x) => x.serial === revoked && x.status === 'revoked');
    if (r) {
      return html`Certificate <span class="mono">${r.serial}</span> is revoked${r.revokedAt && html` since ${day(r.revokedAt)}`} (${r.revocationReason ?? 'unspecified'}: ${revocationWords(r.revocationReason)}). The next login with it will be refused.`;
    }
  }
  const d = query.get('disconnect');
  if (d === 'ok') return html`The access point was asked to end the session.`;
  if (d === 'failed') return html`The disconnect did not succeed: see the gateway log.`;
  return null;
}

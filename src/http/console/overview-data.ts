// The overview's numbers, derived on each request from the decision ring and the store (nothing
// kept, so nothing to keep in step). Pure functions of their inputs and `now`.
import type { DecisionRecord } from '../../obs/decision-ring.js';
import type { CertRecord } from '../../store/types.js';
import type { RevocationStatus } from './deps.js';

const MINUTE = 60_000;
export const DAY = 86_400_000;
export const RENEWAL_WINDOW_DAYS = 30;

export interface MinuteBucket {
  start: Date;
  accept: number;
  reject: number;
}

/** `minutes` whole-minute buckets ending with the current minute, oldest first. */
export function loginsPerMinute(decisions: readonly DecisionRecord[], now: Date, minutes = 60): MinuteBucket[] {
  const end = Math.floor(now.getTime() / MINUTE) * MINUTE + MINUTE;
  const start = end - minutes * MINUTE;
  const buckets: MinuteBucket[] = Array.from({ length: minutes }, (_, i) => ({ start: new Date(start + i * MINUTE), accept: 0, reject: 0 }));
  for (const d of decisions) {
    const t = Date.parse(d.time);
    if (!(t >= start && t < end)) continue;
    const b = buckets[Math.floor((t - start) / MINUTE)]!;
    if (d.result === 'accept') b.accept++;
    else b.reject++;
  }
  return buckets;
}

export function topRejectReasons(decisions: readonly DecisionRecord[], now: Date, windowMs = 60 * MINUTE, limit = 8): { reason: string; count: number }[] {
  const since = now.getTime() - windowMs;
  const counts = new Map<string, number>();
  for (const d of decisions) {
    if (d.result !== 'reject' || Date.parse(d.time) < since) continue;
    counts.set(d.reason, (counts.get(d.reason) ?? 0) + 1);
  }
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)).slice(0, limit);
}

/** Whole days until notAfter (negative once expired). */
export const daysLeft = (notAfter: Date, now: Date): number => Math.floor((notAfter.getTime() - now.getTime()) / DAY);

/** Valid certificates whose notAfter falls within the renewal window, soonest first. */
export function expiringSoon(records: readonly CertRecord[], now: Date, days = RENEWAL_WINDOW_DAYS): CertRecord[] {
  const t = now.getTime();
  return records
    .filter((r) => r.status === 'valid' && r.notAfter.getTime() > t && r.notAfter.getTime() <= t + days * DAY)
    .sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime());
}

export interface SourceHealth {
  name: 'CRL' | 'OCSP';
  /** null: not configured. */
  state: string | null;
  /** Logins refused in the window because this source said revoked or could not answer. */
  refused: { reason: string; count: number }[];
}

const SOURCE_REASONS = { CRL: ['revoked_crl', 'crl_stale'], OCSP: ['revoked_ocsp', 'ocsp_unknown', 'ocsp_unavailable'] } as const;

/** CRL and OCSP: their state as the gateway reports it, and what they refused in the last hour. */
export function revocationHealth(status: RevocationStatus, top: readonly { reason: string; count: number }[]): SourceHealth[] {
  return (['CRL', 'OCSP'] as const).map((name) => ({
    name,
    state: name === 'CRL' ? status.crl : status.ocsp,
    refused: top.filter((t) => (SOURCE_REASONS[name] as readonly string[]).includes(t.reason)),
  }));
}

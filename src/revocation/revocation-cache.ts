// Verified OCSP answers in memory, one per issuer key + serial, bounded (lru-cache) and each with
// its own expiry: min(nextUpdate, fetched + maxCacheSeconds), or a short life when the responder
// gives no nextUpdate. Entries used recently are offered for refresh before they expire, so a
// member who logs in often never waits on the responder. Time is passed in.
import { LRUCache } from 'lru-cache';
import type { CaInfo } from './ca-info.js';
import type { OcspAnswer } from './ocsp-codec.js';

export interface CachedAnswer {
  issuer: CaInfo;
  serial: string;
  /** Subject of the certificate (for facts), and the responder URL asked. */
  subject: string;
  url: string;
  answer: OcspAnswer;
  fetchedAt: number;
  expiresAt: number;
  lastUsed: number;
}

/** Without nextUpdate a response says nothing about tomorrow: keep it this long at most. */
export const NO_NEXT_UPDATE_MAX_MS = 120_000;

export function expiryOf(answer: OcspAnswer, fetchedAt: number, maxCacheSeconds: number): number {
  const cap = fetchedAt + maxCacheSeconds * 1000;
  if (answer.nextUpdate === null) return Math.min(cap, fetchedAt + NO_NEXT_UPDATE_MAX_MS);
  return Math.min(cap, answer.nextUpdate.getTime());
}

const key = (issuerId: string, serial: string) => `${issuerId}:${serial}`;

export class RevocationCache {
  private readonly lru: LRUCache<string, CachedAnswer>;

  constructor(max: number) {
    this.lru = new LRUCache({ max });
  }

  get size(): number {
    return this.lru.size;
  }

  /** A live entry (and marks it used), or undefined; an expired entry is dropped here. */
  get(issuerId: string, serial: string, now: number): CachedAnswer | undefined {
    const k = key(issuerId, serial);
    const e = this.lru.get(k);
    if (!e) return undefined;
    if (now >= e.expiresAt) {
      this.lru.delete(k);
      return undefined;
    }
    e.lastUsed = now;
    return e;
  }

  /** Stores a fresh answer; a refresh keeps the lastUsed of the entry it replaces. */
  set(entry: Omit<CachedAnswer, 'lastUsed'> & { lastUsed?: number }): CachedAnswer {
    const k = key(entry.issuer.id, entry.serial);
    const lastUsed = entry.lastUsed ?? this.lru.peek(k)?.lastUsed ?? entry.fetchedAt;
    const e: CachedAnswer = { ...entry, lastUsed };
    this.lru.set(k, e);
    return e;
  }

  delete(issuerId: string, serial: string): void {
    this.lru.delete(key(issuerId, serial));
  }

  /**
   * A new CRL for this issuer is in force: it now answers for the issuer's certificates, so cached
   * answers that are not "revoked" go (a revocation the CRL does not list yet still wins).
   */
  dropForNewCrl(issuerId: string): number {
    let n = 0;
    for (const [k, e] of this.lru.entries()) {
      if (e.issuer.id === issuerId && e.answer.status !== 'revoked') {
        this.lru.delete(k);
        n++;
      }
    }
    return n;
  }

  /**
   * Entries worth refreshing now: used since `usedSince`, and within their last stretch of life
   * (the later of 30 s and a fifth of their lifetime before expiry).
   */
  dueForRefresh(now: number, usedSince: number): CachedAnswer[] {
    const out: CachedAnswer[] = [];
    for (const e of this.lru.values()) {
      const ahead = Math.max(30_000, (e.expiresAt - e.fetchedAt) / 5);
      if (e.lastUsed >= usedSince && e.expiresAt - now <= ahead) out.push(e);
    }
    return out;
  }

  clear(): void {
    this.lru.clear();
  }
}

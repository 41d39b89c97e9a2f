import { randomToken, tokenDigest } from './secrets.js';

export interface ConsoleSession {
  operator: string;
  /** The per-session CSRF token that every form carries in a hidden field. */
  csrf: string;
  /** Digest of the admin token the session was opened with: rotating the token ends sessions. */
  tokenDigest: string;
  createdAt: number;
  lastSeen: number;
}

export interface SessionLimits {
  max: number;
  idleMs: number;
  maxAgeMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { max: 1000, idleMs: 30 * 60_000, maxAgeMs: 12 * 3_600_000 };

/**
 * Server-side console sessions: the cookie holds only a random id, never the admin token.
 * Bounded (least recently used goes first when full) and expiring (idle and absolute limits).
 * Keys are digests of the ids. Time is passed in.
 */
export class SessionTable {
  // Map order is use order: get() moves an entry to the end, so the first one is the LRU.
  private readonly byDigest = new Map<string, ConsoleSession>();

  constructor(readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS) {}

  get size(): number {
    return this.byDigest.size;
  }

  create(operator: string, adminTokenDigest: string, now: Date): { id: string; session: ConsoleSession } {
    this.sweep(now);
    while (this.byDigest.size >= this.limits.max) this.byDigest.delete(this.byDigest.keys().next().value!);
    const id = randomToken();
    const t = now.getTime();
    const session: ConsoleSession = { operator, csrf: randomToken(), tokenDigest: adminTokenDigest, createdAt: t, lastSeen: t };
    this.byDigest.set(tokenDigest(id), session);
    return { id, session };
  }

  get(id: string, now: Date): ConsoleSession | undefined {
    const k = tokenDigest(id);
    const s = this.byDigest.get(k);
    if (!s) return undefined;
    if (this.expired(s, now.getTime())) {
      this.byDigest.delete(k);
      return undefined;
    }
    s.lastSeen = now.getTime();
    this.byDigest.delete(k);
    this.byDigest.set(k, s);
    return s;
  }

  delete(id: string): void {
    this.byDigest.delete(tokenDigest(id));
  }

  sweep(now: Date): number {
    let n = 0;
    for (const [k, s] of this.byDigest) {
      if (this.expired(s, now.getTime())) {
        this.byDigest.delete(k);
        n++;
      }
    }
    return n;
  }

  private expired(s: ConsoleSession, t: number): boolean {
    return t - s.lastSeen > this.limits.idleMs || t - s.createdAt > this.limits.maxAgeMs;
  }
}

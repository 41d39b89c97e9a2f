export interface LimiterLimits {
  maxFailures: number;
  windowMs: number;
  maxEntries: number;
}

export const DEFAULT_LIMITER_LIMITS: LimiterLimits = { maxFailures: 5, windowMs: 60_000, maxEntries: 10_000 };

interface Entry {
  windowStart: number;
  failures: number;
}

/**
 * Failed console logins per source address: after `maxFailures` in a window the address is refused
 * (429) until the window ends, even with the right token, so the token cannot be guessed quickly.
 * The table is bounded: when full, expired entries go first, then the oldest.
 */
export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly limits: LimiterLimits = DEFAULT_LIMITER_LIMITS) {}

  get size(): number {
    return this.entries.size;
  }

  /** Seconds until the address may try again; 0 when it may try now. */
  retryAfter(address: string, now: Date): number {
    const e = this.entries.get(address);
    if (!e) return 0;
    const left = e.windowStart + this.limits.windowMs - now.getTime();
    if (left <= 0) {
      this.entries.delete(address);
      return 0;
    }
    return e.failures >= this.limits.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  fail(address: string, now: Date): void {
    const t = now.getTime();
    const e = this.entries.get(address);
    if (e && t - e.windowStart < this.limits.windowMs) {
      e.failures++;
      return;
    }
    this.entries.delete(address);
    if (this.entries.size >= this.limits.maxEntries) this.makeRoom(t);
    this.entries.set(address, { windowStart: t, failures: 1 });
  }

  succeed(address: string): void {
    this.entries.delete(address);
  }

  private makeRoom(t: number): void {
    for (const [k, e] of this.entries) if (t - e.windowStart >= this.limits.windowMs) this.entries.delete(k);
    // Insertion order is window-start order, so the first entry is the oldest.
    while (this.entries.size >= this.limits.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

// Failed-login pacing per Calling-Station-Id. A supplicant with a bad certificate retries every few
// seconds for ever, and each try costs a TLS handshake: after a few rejects its Access-Rejects are
// held back (growing delay, which slows its retry loop), then new logins from it are refused
// without any TLS work for a while. Keyed by station, not by identity: the outer identity is
// anonymous and chosen by the peer, the MAC is what the NAS saw.
import type { PacingConfig } from '../config/load.js';
import { type Decision, reject } from '../verify/reasons.js';

export interface PacingObserver {
  refused(): void;
  delayed(how: 'held' | 'overflow'): void;
}

interface Entry {
  rejects: number;
  lastReject: number;
  refusedUntil: number;
}

export class FailurePacer {
  // In order of last reject (delete + set), so the stalest entry is first: evicted at the limit, swept.
  private readonly map = new Map<string, Entry>();
  private held = 0;
  readonly counts = { refusals: 0, delayed: 0, overflow: 0, evicted: 0 };

  constructor(
    private readonly s: PacingConfig,
    private readonly observer: PacingObserver = { refused: () => undefined, delayed: () => undefined },
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Replies being held back right now. */
  get holding(): number {
    return this.held;
  }

  /** Stations being slowed or refused at `now` (scanned: for the scrape, not the hot path). */
  active(now: number): number {
    let n = 0;
    for (const e of this.map.values()) if (e.refusedUntil > now || (e.rejects > this.s.freeRejects && !this.stale(e, now))) n++;
    return n;
  }

  /**
   * For a new login (no State): the decision refusing it, or undefined to let it start. Logins in
   * progress are never refused here: they began before the refusal.
   */
  admit(station: string | undefined, hasState: boolean, now: number): Decision | undefined {
    if (!this.s.enabled || station === undefined || hasState) return undefined;
    const e = this.map.get(station);
    if (!e || e.refusedUntil <= now) return undefined;
    this.counts.refusals++;
    this.observer.refused();
    const seconds = Math.ceil((e.refusedUntil - now) / 1000);
    return reject('paced', { detail: `${e.rejects} rejects for this Calling-Station-Id; refused for ${seconds} s more` });
  }

  /** Records a reject and returns how long to hold the Access-Reject back (ms). */
  rejected(station: string | undefined, now: number): number {
    if (!this.s.enabled || station === undefined) return 0;
    const old = this.map.get(station);
    const rejects = old && !this.stale(old, now) ? old.rejects + 1 : 1;
    const refusedUntil = rejects >= this.s.refuseAfter ? now + this.s.refuseSeconds * 1000 : (old?.refusedUntil ?? 0);
    if (old) this.map.delete(station);
    while (this.map.size >= this.s.maxStations) {
      this.map.delete(this.map.keys().next().value as string);
      this.counts.evicted++;
    }
    this.map.set(station, { rejects, lastReject: now, refusedUntil });
    if (rejects <= this.s.freeRejects) return 0;
    return Math.min(this.s.maxRejectDelayMs, this.s.rejectDelayMs * 2 ** Math.min(rejects - this.s.freeRejects - 1, 20));
  }

  /** A success clears the station's record. */
  accepted(station: string | undefined): void {
    if (station !== undefined) this.map.delete(station);
  }

  /** Waits `ms` before a reject goes out, unless too many are held already (then at once, counted). */
  async hold(ms: number): Promise<void> {
    if (ms <= 0) return;
    if (this.held >= this.s.maxDelayed) {
      this.counts.overflow++;
      this.observer.delayed('overflow');
      return;
    }
    this.held++;
    this.counts.delayed++;
    this.observer.delayed('held');
    try {
      await new Promise((r) => setTimeout(r, ms));
    } finally {
      this.held--;
    }
  }

  /** Forgets stations whose window has passed and that are not refused; call about once a second. */
  sweep(now: number): number {
    let n = 0;
    for (const [k, e] of this.map) {
      if (!this.stale(e, now)) break;
      this.map.delete(k);
      n++;
    }
    return n;
  }

  private stale(e: Entry, now: number): boolean {
    return now - e.lastReject >= this.s.windowSeconds * 1000 && e.refusedUntil <= now;
  }
}

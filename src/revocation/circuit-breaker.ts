// A circuit breaker for one OCSP responder: after `threshold` failures in a row it opens and
// requests fail at once (no timeout per login) until the back-off has passed; then one trial
// request is let through (half-open). Success closes it; another failure doubles the back-off up
// to a cap. Pure state over a time passed in.

export interface BreakerOptions {
  threshold: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { threshold: 3, baseBackoffMs: 5_000, maxBackoffMs: 300_000 };

export type BreakerState = 'closed' | 'open' | 'half_open';

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private backoffMs: number;
  private trialInFlight = false;

  constructor(private readonly opts: BreakerOptions = DEFAULT_BREAKER) {
    this.backoffMs = opts.baseBackoffMs;
  }

  state(now: number): BreakerState {
    if (this.failures < this.opts.threshold) return 'closed';
    return now < this.openUntil ? 'open' : 'half_open';
  }

  /** May a request go out now? In half-open state only one trial at a time. */
  allow(now: number): boolean {
    const s = this.state(now);
    if (s === 'closed') return true;
    if (s === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** When the breaker will next let a request through (for messages). */
  retryAt(): number {
    return this.openUntil;
  }

  success(): void {
    this.failures = 0;
    this.openUntil = 0;
    this.backoffMs = this.opts.baseBackoffMs;
    this.trialInFlight = false;
  }

  failure(now: number): void {
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    this.failures++;
    if (this.failures < this.opts.threshold) return;
    if (wasTrial) this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs);
    this.openUntil = now + this.backoffMs;
  }
}

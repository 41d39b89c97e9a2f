// Is an upstream server worth sending to? Marked dead when a request goes unanswered (all tries),
// alive again on any valid answer: to a request or to a Status-Server probe (RFC 5997 4.3).
// Time is passed in; the caller owns the timers.
export class Liveness {
  private alive = true;
  private deadSince = 0;
  private lastProbe = 0;

  constructor(private readonly probeIntervalMs: number) {}

  get up(): boolean {
    return this.alive;
  }

  /** A valid answer arrived. Returns true when this revived a dead server. */
  answered(): boolean {
    const revived = !this.alive;
    this.alive = true;
    return revived;
  }

  /** A request went unanswered after every try. Returns true when this killed a live server. */
  unanswered(now: number): boolean {
    if (!this.alive) return false;
    this.alive = false;
    this.deadSince = now;
    this.lastProbe = now;
    return true;
  }

  /** A dead server is probed once per interval; call with the current time, it records the probe. */
  probeDue(now: number): boolean {
    if (this.alive || now - this.lastProbe < this.probeIntervalMs) return false;
    this.lastProbe = now;
    return true;
  }

  /** How long the server has been dead (0 when alive). */
  downFor(now: number): number {
    return this.alive ? 0 : now - this.deadSince;
  }
}

import { performance } from 'node:perf_hooks';

/** Cumulative event-loop time, as performance.eventLoopUtilization() reports it (ms). */
export interface LoopTime {
  idle: number;
  active: number;
}

/** Where handshakes go: `adaptive` (main thread while it has headroom, else workers) or always `workers`. */
export type PlacementMode = 'adaptive' | 'workers';

const WINDOW_MS = 100;
/** The main thread's busy share is steered into [LOW, HIGH]: high, because a hop costs more than the queueing it saves until the loop is nearly full. */
const HIGH = 0.85;
const LOW = 0.75;

/**
 * Decides, for each new handshake, whether it runs on the main thread or on a worker.
 *
 * A worker costs a thread hop per TLS message: on the 2-core VM of docs/BENCHMARKS.md a
 * postMessage round trip with both threads waking costs ~70 µs of CPU, about 0.4 ms per login
 * (a fifth of it). So while the main thread has headroom, handshakes run there; as its event loop
 * gets busier than HIGH over a 100 ms window, a growing share of new handshakes goes to the
 * workers, and the share comes back once it is below LOW. Under saturation every handshake is on
 * a worker and every core works; at ordinary load no login pays for a hop.
 */
export class Placement {
  /** Share of new handshakes kept on the main thread, 0..1 (exported as a metric). */
  share = 1;
  private credit = 0;
  private last: LoopTime;
  private lastAt: number;

  constructor(
    private readonly loopTime: () => LoopTime = () => performance.eventLoopUtilization(),
    now = 0,
  ) {
    this.last = loopTime();
    this.lastAt = now;
  }

  /** Whether the next new handshake runs on the main thread. `now`: a monotonic clock in ms. */
  inline(now: number): boolean {
    if (now - this.lastAt >= WINDOW_MS) this.adjust(now);
    this.credit += this.share;
    if (this.credit < 1) return false;
    this.credit -= 1;
    return true;
  }

  private adjust(now: number): void {
    const t = this.loopTime();
    const active = t.active - this.last.active;
    const total = active + t.idle - this.last.idle;
    this.last = t;
    this.lastAt = now;
    if (total <= 0) return;
    const busy = active / total;
    // Down fast (a burst must reach the workers within a few windows), up slowly (no flapping).
    if (busy > HIGH) this.share = Math.max(0, this.share - 0.25);
    else if (busy < LOW) this.share = Math.min(1, this.share + 0.1);
  }
}

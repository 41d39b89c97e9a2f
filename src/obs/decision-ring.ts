import type { RuleRef } from '../policy/types.js';

/** One logged decision, as the helpdesk sees it. No secrets: these are the log line's fields. */
export interface DecisionRecord {
  time: string;
  result: 'accept' | 'reject';
  reason: string;
  detail?: string | undefined;
  member: string | null;
  serial: string | null;
  issuer: string | null;
  outerIdentity: string | null;
  callingStationId: string | null;
  client: string;
  nas: string;
  tlsVersion: string | null;
  resumed: boolean;
  durationMs: number;
  /** Chargeable-User-Identity sent in the Access-Accept (our value, or the home server's when proxied). */
  cui?: string | null;
  /** Decided upstream: the server that answered and the realm of the outer identity. */
  proxied?: boolean;
  upstream?: string;
  realm?: string;
  /** The authorization policy rule that matched (null: none did); absent when the policy did not run. */
  rule?: RuleRef | null;
}

type DecisionFacts = Pick<DecisionRecord, 'result' | 'reason' | 'detail' | 'member' | 'serial' | 'issuer'>;

/** The record of a decision made at `at`: the decision's own fields, then where and how it was made. */
export const decisionRecord = (d: DecisionFacts, at: Date, context: Omit<DecisionRecord, keyof DecisionFacts | 'time'>): DecisionRecord => ({
  time: at.toISOString(),
  result: d.result,
  reason: d.reason,
  detail: d.detail,
  member: d.member,
  serial: d.serial,
  issuer: d.issuer,
  ...context,
});

/**
 * The last N decisions in memory, for "why can't this student get on the Wi-Fi?". A fixed-size
 * ring: old decisions fall out, memory stays bounded whatever the login rate.
 */
export class DecisionRing {
  private readonly items: (DecisionRecord | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<DecisionRecord | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(d: DecisionRecord): void {
    this.items[this.next] = d;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Newest first; `match` filters, `limit` caps. */
  recent(match: (d: DecisionRecord) => boolean, limit: number): DecisionRecord[] {
    const out: DecisionRecord[] = [];
    for (let i = 1; i <= this.count && out.length < limit; i++) {
      const d = this.items[(this.next - i + this.capacity) % this.capacity]!;
      if (match(d)) out.push(d);
    }
    return out;
  }
}

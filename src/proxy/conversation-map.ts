// Proxied conversations by the upstream's State (RFC 2865 5.24): follow-up packets of a
// conversation go to the server that issued the State. Bounded in count (the oldest entry is
// evicted) and in time (idle entries expire). Time is passed in.

export interface Expiring {
  lastSeen: number;
}

export class ConversationMap<V extends Expiring> {
  private readonly map = new Map<string, V>();
  evicted = 0;
  expired = 0;

  constructor(private readonly limits: { max: number; idleMs: number }) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string, now: number): V | undefined {
    const v = this.map.get(key);
    if (!v) return undefined;
    if (now - v.lastSeen >= this.limits.idleMs) {
      this.map.delete(key);
      this.expired++;
      return undefined;
    }
    return v;
  }

  /** Adds or replaces; the entry becomes the youngest. */
  set(key: string, value: V, now: number): void {
    value.lastSeen = now;
    this.map.delete(key);
    while (this.map.size >= this.limits.max) {
      this.map.delete(this.map.keys().next().value as string);
      this.evicted++;
    }
    this.map.set(key, value);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Removes idle entries; they are in last-use order, so this stops at the first young one. */
  sweep(now: number): number {
    let n = 0;
    for (const [key, v] of this.map) {
      if (now - v.lastSeen < this.limits.idleMs) break;
      this.map.delete(key);
      n++;
    }
    this.expired += n;
    return n;
  }

  clear(): void {
    this.map.clear();
  }
}

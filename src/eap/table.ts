/**
 * Conversations keyed by their RADIUS State. A Map kept in order of last activity (touch = delete
 * + set), so the first entries are the ones that have not progressed for longest: those are
 * evicted first at the limit, and swept when idle.
 */
export class ConversationTable<C extends { lastActivity: number; destroy(): void }> {
  private readonly map = new Map<string, C>();
  evictions = 0;
  expirations = 0;

  constructor(
    private readonly limits: { max: number; idleMs: number },
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): C | undefined {
    return this.map.get(key);
  }

  touch(key: string, c: C, now: number): void {
    c.lastActivity = now;
    this.map.delete(key);
    this.map.set(key, c);
  }

  /** Adds a conversation, evicting the least recently active one when full. */
  add(key: string, c: C): void {
    while (this.map.size >= this.limits.max) {
      const [oldKey, old] = this.map.entries().next().value as [string, C];
      this.map.delete(oldKey);
      old.destroy();
      this.evictions++;
    }
    this.map.set(key, c);
  }

  delete(key: string): void {
    const c = this.map.get(key);
    if (!c) return;
    this.map.delete(key);
    c.destroy();
  }

  /** Drops conversations idle for longer than the limit; cheap because the map is in activity order. */
  sweep(now: number): number {
    let n = 0;
    for (const [key, c] of this.map) {
      if (now - c.lastActivity < this.limits.idleMs) break;
      this.map.delete(key);
      c.destroy();
      n++;
    }
    this.expirations += n;
    return n;
  }

  clear(): void {
    for (const c of this.map.values()) c.destroy();
    this.map.clear();
  }
}

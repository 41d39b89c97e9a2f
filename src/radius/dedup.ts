/**
 * RFC 5080 2.2.2 duplicate detection: the same (source address, port, Identifier) with the same
 * Request Authenticator is a retransmission. While the first copy is being worked on, copies are
 * dropped; once answered, they get the cached reply byte for byte. A different authenticator under
 * the same key is a new request and replaces the entry. Bounded in count and in time.
 */
export type DuplicateVerdict = { kind: 'new' } | { kind: 'in_progress' } | { kind: 'replay'; reply: Buffer };

interface Entry {
  authenticator: Buffer;
  reply: Buffer | undefined;
  at: number;
}

export class DuplicateCache {
  private readonly map = new Map<string, Entry>();
  evictions = 0;

  constructor(private readonly limits: { ttlMs: number; max: number }) {}

  get size(): number {
    return this.map.size;
  }

  check(key: string, authenticator: Buffer, now: number): DuplicateVerdict {
    const e = this.map.get(key);
    if (e && now - e.at < this.limits.ttlMs && e.authenticator.equals(authenticator)) {
      return e.reply ? { kind: 'replay', reply: e.reply } : { kind: 'in_progress' };
    }
    if (e) this.map.delete(key);
    while (this.map.size >= this.limits.max) {
      this.map.delete(this.map.keys().next().value as string);
      this.evictions++;
    }
    this.map.set(key, { authenticator: Buffer.from(authenticator), reply: undefined, at: now });
    return { kind: 'new' };
  }

  /** Records the reply; `undefined` forgets the request (it was dropped, a retransmit may be tried anew). */
  complete(key: string, authenticator: Buffer, reply: Buffer | undefined): void {
    const e = this.map.get(key);
    if (!e || !e.authenticator.equals(authenticator)) return;
    if (reply) e.reply = reply;
    else this.map.delete(key);
  }

  /** Entries are in insertion order, so expiry stops at the first young one. */
  sweep(now: number): void {
    for (const [key, e] of this.map) {
      if (now - e.at < this.limits.ttlMs) break;
      this.map.delete(key);
    }
  }
}

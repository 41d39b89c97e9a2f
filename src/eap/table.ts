/** What the table needs to know about a conversation to bound and evict it. */
export interface Tracked {
  lastActivity: number;
  /** RADIUS client name the conversation came from. */
  readonly client: string;
  /** Normalised Calling-Station-Id (see limits/station-id.ts), when the NAS sent one. */
  readonly station: string | undefined;
  /** True once the peer answered the Start: abandoned logins never get there. */
  readonly progressed: boolean;
  destroy(): void;
}

export interface TableLimits {
  max: number;
  perClient: number;
  perStation: number;
  /** Conversations holding TLS state (an OpenSSL handshake: tens of KB each, not a few hundred bytes). */
  handshakes: number;
  idleMs: number;
}

export type EvictionCause = 'limit_total' | 'limit_client' | 'limit_station' | 'limit_handshakes';

// How far from the oldest end to look for a conversation that never progressed before settling for
// the oldest: bounds the work per insert while a flood of abandoned logins fills the front.
const SCAN = 64;

/**
 * Conversations keyed by their RADIUS State, with limits in total, per client and per station.
 * Each Map is kept in order of last activity (touch = delete + set), so the first entries are the
 * ones that have not progressed for longest: at a limit the table evicts, from the group that is
 * full, the oldest conversation that never got past the Start, else the oldest one. A new login is
 * always admitted; a flood of abandoned logins pushes out only its own kind first.
 */
export class ConversationTable<C extends Tracked> {
  private readonly all = new Map<string, C>();
  private readonly byClient = new Map<string, Map<string, C>>();
  private readonly byStation = new Map<string, Map<string, C>>();
  private readonly withTls = new Map<string, C>();
  readonly evicted: Record<EvictionCause, number> = { limit_total: 0, limit_client: 0, limit_station: 0, limit_handshakes: 0 };
  expirations = 0;

  constructor(
    private readonly limits: TableLimits,
    private readonly onEvict: (cause: EvictionCause) => void = () => undefined,
  ) {}

  get size(): number {
    return this.all.size;
  }

  /** Number of conversations of one client / one station (for tests and diagnostics). */
  countFor(kind: 'client' | 'station', key: string): number {
    return (kind === 'client' ? this.byClient : this.byStation).get(key)?.size ?? 0;
  }

  /** Conversations that hold TLS state. */
  get handshakes(): number {
    return this.withTls.size;
  }

  /**
   * The conversation is about to get TLS state: makes room among those that have it (the least
   * recently active goes), so half-open handshakes cannot take memory the total limit allows.
   */
  startsTls(key: string, c: C): void {
    if (this.withTls.has(key) || this.all.get(key) !== c) return;
    this.makeRoom(this.withTls, this.limits.handshakes, 'limit_handshakes');
    this.withTls.set(key, c);
  }

  /** Distinct clients and stations that hold conversations. */
  get groups(): { clients: number; stations: number } {
    return { clients: this.byClient.size, stations: this.byStation.size };
  }

  get(key: string): C | undefined {
    return this.all.get(key);
  }

  touch(key: string, c: C, now: number): void {
    c.lastActivity = now;
    moveToEnd(this.all, key, c);
    if (this.withTls.has(key)) moveToEnd(this.withTls, key, c);
    moveToEnd(this.byClient.get(c.client), key, c);
    if (c.station !== undefined) moveToEnd(this.byStation.get(c.station), key, c);
  }

  /** Adds a conversation, first making room in every group that is at its limit. */
  add(key: string, c: C): void {
    if (c.station !== undefined) this.makeRoom(this.byStation.get(c.station), this.limits.perStation, 'limit_station');
    this.makeRoom(this.byClient.get(c.client), this.limits.perClient, 'limit_client');
    this.makeRoom(this.all, this.limits.max, 'limit_total');
    this.all.set(key, c);
    groupOf(this.byClient, c.client).set(key, c);
    if (c.station !== undefined) groupOf(this.byStation, c.station).set(key, c);
  }

  delete(key: string): void {
    const c = this.all.get(key);
    if (!c) return;
    this.unlink(key, c);
    c.destroy();
  }

  /** Drops conversations idle for longer than the limit; cheap because the map is in activity order. */
  sweep(now: number): number {
    let n = 0;
    for (const [key, c] of this.all) {
      if (now - c.lastActivity < this.limits.idleMs) break;
      this.unlink(key, c);
      c.destroy();
      n++;
    }
    this.expirations += n;
    return n;
  }

  clear(): void {
    for (const c of this.all.values()) c.destroy();
    this.all.clear();
    this.withTls.clear();
    this.byClient.clear();
    this.byStation.clear();
  }

  private makeRoom(group: Map<string, C> | undefined, limit: number, cause: EvictionCause): void {
    while (group !== undefined && group.size > 0 && group.size >= limit) {
      const key = victim(group);
      this.delete(key);
      this.evicted[cause]++;
      this.onEvict(cause);
    }
  }

  private unlink(key: string, c: C): void {
    this.all.delete(key);
    this.withTls.delete(key);
    dropFrom(this.byClient, c.client, key);
    if (c.station !== undefined) dropFrom(this.byStation, c.station, key);
  }
}

function victim<C extends Tracked>(group: Map<string, C>): string {
  let first: string | undefined;
  let i = 0;
  for (const [key, c] of group) {
    first ??= key;
    if (!c.progressed) return key;
    if (++i >= SCAN) break;
  }
  return first!;
}

function moveToEnd<C>(m: Map<string, C> | undefined, key: string, c: C): void {
  if (!m) return;
  m.delete(key);
  m.set(key, c);
}

function groupOf<C>(groups: Map<string, Map<string, C>>, name: string): Map<string, C> {
  let g = groups.get(name);
  if (!g) groups.set(name, (g = new Map()));
  return g;
}

function dropFrom<C>(groups: Map<string, Map<string, C>>, name: string, key: string): void {
  const g = groups.get(name);
  if (!g) return;
  g.delete(key);
  if (g.size === 0) groups.delete(name);
}

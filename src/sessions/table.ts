// The live-sessions table: what accounting says is on the network now, per member and per
// certificate. In memory (the tracker and the disconnect path read it), bounded (a total and a
// per-member limit: the least recently updated session goes first) and expiring (no accounting
// for `idleMs`). Time is passed in. Changes are remembered as dirty ids for the persistence layer.

export interface LiveSession {
  /** Opaque, stable id (hash of NAS and Acct-Session-Id): the API and CLI name a session by it. */
  id: string;
  /** The member (lowercase e-mail) the session belongs to. */
  member: string;
  /** User-Name exactly as the NAS reported it: the Disconnect-Request repeats it. */
  userName: string;
  /** The certificate the login used; issuer is the DN when known (the token carries only its hash). */
  cert: { serial: string; issuerHash: string; issuer: string | null };
  /** How the certificate was found: our Class token, or the member's current certificate at Start. */
  boundBy: 'class' | 'current_certificate';
  /** RADIUS client name (config) the accounting came through: its coaPort and secret apply. */
  client: string;
  /** Source address of the accounting packets. */
  nas: string;
  nasIdentifier: string | null;
  nasIpAddress: string | null;
  nasIpv6Address: string | null;
  acctSessionId: string;
  callingStationId: string | null;
  framedIpAddress: string | null;
  /** Epoch milliseconds. */
  startedAt: number;
  updatedAt: number;
}

export interface SessionLimits {
  max: number;
  maxPerMember: number;
  idleMs: number;
}

export type Removal = 'stopped' | 'expired' | 'evicted' | 'nas_restarted' | 'disconnected' | 'gone_on_nas';

const certKey = (serial: string, issuerHash: string) => `${issuerHash}:${serial}`;

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let s = index.get(key);
  if (!s) index.set(key, (s = new Set()));
  s.add(id);
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const s = index.get(key);
  if (!s) return;
  s.delete(id);
  if (s.size === 0) index.delete(key);
}

export class SessionTable {
  // Map order is update order: the first entry is the least recently updated.
  private readonly byId = new Map<string, LiveSession>();
  private readonly byMember = new Map<string, Set<string>>();
  private readonly byCert = new Map<string, Set<string>>();
  /** Ids written or removed since the last takeDirty(). */
  private dirty = new Set<string>();

  constructor(public limits: SessionLimits) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): LiveSession | undefined {
    return this.byId.get(id);
  }

  /**
   * Adds or replaces a session; returns those evicted to stay within the limits (never the one
   * just written).
   */
  upsert(s: LiveSession): LiveSession[] {
    const old = this.byId.get(s.id);
    if (old) this.unindex(old);
    this.byId.delete(s.id);
    this.byId.set(s.id, s);
    addTo(this.byMember, s.member, s.id);
    addTo(this.byCert, certKey(s.cert.serial, s.cert.issuerHash), s.id);
    this.dirty.add(s.id);
    const evicted: LiveSession[] = [];
    const mine = this.byMember.get(s.member)!;
    while (mine.size > this.limits.maxPerMember) {
      // Sets keep insertion order, and re-inserting on update keeps it in update order.
      const oldest = [...mine].find((id) => id !== s.id)!;
      evicted.push(this.remove(oldest)!);
    }
    while (this.byId.size > this.limits.max) {
      const oldest = this.byId.keys().next().value!;
      if (oldest === s.id) break;
      evicted.push(this.remove(oldest)!);
    }
    return evicted;
  }

  remove(id: string): LiveSession | undefined {
    const s = this.byId.get(id);
    if (!s) return undefined;
    this.byId.delete(id);
    this.unindex(s);
    this.dirty.add(id);
    return s;
  }

  /** Newest first. */
  forMember(member: string): LiveSession[] {
    return this.ids(this.byMember.get(member.toLowerCase()));
  }

  forCertificate(serial: string, issuerHash: string): LiveSession[] {
    return this.ids(this.byCert.get(certKey(serial, issuerHash)));
  }

  /** Every session, newest first, at most `limit`. */
  list(limit = Infinity): LiveSession[] {
    const all = [...this.byId.values()];
    const out: LiveSession[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) out.push(all[i]!);
    return out;
  }

  /** Sessions reported through one NAS (for Accounting-On/Off: the NAS restarted). */
  forNas(client: string, nas: string): LiveSession[] {
    return [...this.byId.values()].filter((s) => s.client === client && s.nas === nas);
  }

  /** Removes and returns sessions without an update for limits.idleMs. */
  sweep(now: number): LiveSession[] {
    const out: LiveSession[] = [];
    // Map order is update order and updatedAt is the time the update arrived, so the walk stops at
    // the first fresh session: a sweep costs what it removes.
    for (const s of this.byId.values()) {
      if (now - s.updatedAt <= this.limits.idleMs) break;
      out.push(s);
    }
    for (const s of out) this.remove(s.id);
    return out;
  }

  /** Marks an id to be written again (a failed write). */
  markDirty(id: string): void {
    this.dirty.add(id);
  }

  /** Ids changed since the last call (for write-behind persistence). */
  takeDirty(): string[] {
    const d = [...this.dirty];
    this.dirty = new Set();
    return d;
  }

  private ids(set: Set<string> | undefined): LiveSession[] {
    if (!set) return [];
    return [...set].map((id) => this.byId.get(id)!).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  private unindex(s: LiveSession): void {
    removeFrom(this.byMember, s.member, s.id);
    removeFrom(this.byCert, certKey(s.cert.serial, s.cert.issuerHash), s.id);
  }
}

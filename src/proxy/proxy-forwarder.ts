// The proxy in the login path: routes the first packet of a conversation by the realm of its
// EAP-Response/Identity, relays follow-ups by State to the same upstream server, and turns the
// upstream's answer into the NAS leg's reply. The EAP conversation itself passes untouched.
import { randomBytes, randomInt } from 'node:crypto';
import { EapCode, EapType, decodeEap, eapFailure } from '../eap/packet.js';
import type { Metrics } from '../obs/metrics.js';
import { splitEapMessage } from '../radius/eap-message.js';
import { Attr, Code, type RadiusAttribute, getAttribute } from '../radius/packet.js';
import type { HandlerResult, RequestContext } from '../radius/server.js';
import { type Decision, reject } from '../verify/reasons.js';
import { ConversationMap } from './conversation-map.js';
import { nasReply, upstreamAttributes } from './proxy-packet.js';
import type { ProxyConfig } from './proxy-config.js';
import { RealmRouter } from './realm-router.js';
import { UpstreamPool } from './upstream-pool.js';
import type { UpstreamServer } from './upstream-server.js';

/** A proxied conversation's end, as the upstream decided it. */
export interface ProxiedOutcome {
  result: 'accept' | 'reject';
  /** The realm of the outer identity and the route it took ("*" or the realm). */
  realm: string;
  route: string;
  server: string;
  outerIdentity: string;
  /** User-Name and Chargeable-User-Identity in the upstream's Access-Accept, when present. */
  userName: string | null;
  cui: string | null;
  startedAt: number;
  rounds: number;
}

export interface ProxyEvents {
  /** A first packet refused here (missing or malformed realm): never forwarded. */
  localReject(ctx: RequestContext, decision: Decision): void;
  /** The upstream's Access-Accept or Access-Reject, relayed. */
  finished(ctx: RequestContext, outcome: ProxiedOutcome): void;
  /** No usable answer from upstream (timeouts on every server, a broken answer, overload). */
  failed(ctx: RequestContext, info: { route: string; server: string | null; result: string; detail?: string }): void;
}

type ProxyMetrics = Pick<Metrics, 'proxyRequests' | 'proxyConversationEvictions'>;

interface Conversation {
  server: UpstreamServer;
  route: string;
  realm: string;
  outerIdentity: string;
  startedAt: number;
  rounds: number;
  lastSeen: number;
}

export class ProxyForwarder {
  private readonly router: RealmRouter;
  private readonly pools = new Map<string, UpstreamPool>();
  readonly conversations: ConversationMap<Conversation>;
  private inFlight = 0;

  constructor(
    private readonly config: ProxyConfig,
    localRealms: () => readonly string[],
    pools: UpstreamPool[],
    private readonly metrics: ProxyMetrics,
    private readonly events: ProxyEvents,
    private readonly salt: () => number = () => randomInt(0, 0x8000),
  ) {
    for (const p of pools) this.pools.set(p.route, p);
    this.router = new RealmRouter(localRealms, [...this.pools.keys()]);
    this.conversations = new ConversationMap({ max: config.maxConversations, idleMs: config.conversationIdleSeconds * 1000 });
  }

  /** Requests waiting for an upstream answer now. */
  get outstanding(): number {
    return this.inFlight;
  }

  /**
   * The reply for an Access-Request that is not ours to decide, or undefined to decide it locally.
   * `eap` is the joined EAP-Message.
   */
  async handle(ctx: RequestContext, eap: Buffer): Promise<HandlerResult | undefined> {
    const p = ctx.packet;
    const now = ctx.receivedAt.getTime();
    const state = getAttribute(p, Attr.State);
    if (state) {
      const key = state.toString('hex');
      const conv = this.conversations.get(key, now);
      if (!conv) return undefined;
      return this.forward(ctx, [conv.server], conv, key);
    }
    const d = decodeEap(eap);
    // Anything but EAP-Response/Identity as a first packet is the local EAP server's to refuse.
    if (!d.ok || d.packet.code !== EapCode.Response || d.packet.type !== EapType.Identity) return undefined;
    const outerIdentity = d.packet.data.toString('utf8');
    const r = this.router.route(outerIdentity);
    if (r.kind === 'local') return undefined;
    if (r.kind === 'reject') {
      this.events.localReject(ctx, reject('realm', { detail: `not forwarded: ${r.detail}` }));
      return { code: Code.AccessReject, attributes: splitEapMessage(eapFailure(d.packet.identifier)) };
    }
    const pool = this.pools.get(r.route)!;
    const conv: Conversation = { server: pool.servers[0]!, route: r.route, realm: r.realm, outerIdentity, startedAt: now, rounds: 0, lastSeen: now };
    return this.forward(ctx, pool.candidates(), conv, undefined);
  }

  /** Expires idle conversations; call about once a second. */
  sweep(now: number): void {
    const n = this.conversations.sweep(now);
    if (n) this.metrics.proxyConversationEvictions.inc({ why: 'expired' }, n);
  }

  close(): void {
    this.conversations.clear();
    for (const pool of this.pools.values()) for (const s of pool.servers) s.close();
  }

  get servers(): UpstreamServer[] {
    return [...this.pools.values()].flatMap((p) => p.servers);
  }

  private count(route: string, server: string, result: string): void {
    this.metrics.proxyRequests.inc({ realm_route: route, server, result });
  }

  /**
   * Tries the candidates in order: a server that is busy, silent or drops the connection passes the
   * request on to the next. A follow-up has one candidate, the server holding its State.
   */
  private async forward(ctx: RequestContext, candidates: UpstreamServer[], conv: Conversation, stateKey: string | undefined): Promise<HandlerResult> {
    if (this.inFlight >= this.config.maxOutstanding) {
      this.count(conv.route, 'none', 'overload');
      this.events.failed(ctx, { route: conv.route, server: null, result: 'overload' });
      return { drop: 'proxy_overload' };
    }
    this.inFlight++;
    try {
      const proxyState = randomBytes(8);
      const attributes = upstreamAttributes(ctx.packet, proxyState);
      let last: { server: string; result: string; detail?: string } = { server: 'none', result: 'busy' };
      for (const server of candidates) {
        const res = await server.exchange(Code.AccessRequest, attributes);
        if (res.kind !== 'reply') {
          this.count(conv.route, server.name, res.kind);
          last = { server: server.name, result: res.kind, ...(res.kind === 'unsendable' ? { detail: res.reason } : {}) };
          if (res.kind === 'unsendable') break;
          continue;
        }
        const out = nasReply(
          res.packet,
          proxyState,
          { secret: server.secret, requestAuthenticator: res.requestAuthenticator },
          { secret: ctx.client.secret, requestAuthenticator: ctx.packet.authenticator },
          this.salt,
        );
        if (!out.ok) {
          this.count(conv.route, server.name, 'bad_reply');
          last = { server: server.name, result: 'bad_reply', detail: out.reason };
          break;
        }
        return this.relay(ctx, conv, server, stateKey, out.code, out.attributes);
      }
      this.events.failed(ctx, { route: conv.route, server: last.server === 'none' ? null : last.server, result: last.result, ...(last.detail ? { detail: last.detail } : {}) });
      return { drop: `proxy_${last.result}` };
    } finally {
      this.inFlight--;
    }
  }

  private relay(
    ctx: RequestContext,
    conv: Conversation,
    server: UpstreamServer,
    stateKey: string | undefined,
    code: number,
    attributes: RadiusAttribute[],
  ): HandlerResult {
    const now = ctx.receivedAt.getTime();
    if (stateKey) this.conversations.delete(stateKey);
    conv.rounds++;
    if (code === Code.AccessChallenge) {
      this.count(conv.route, server.name, 'challenge');
      const state = attributes.find((a) => a.type === Attr.State)?.value;
      if (state) {
        const before = this.conversations.evicted;
        this.conversations.set(state.toString('hex'), { ...conv, server }, now);
        if (this.conversations.evicted > before) this.metrics.proxyConversationEvictions.inc({ why: 'evicted' }, this.conversations.evicted - before);
      }
      return { code, attributes };
    }
    const result = code === Code.AccessAccept ? 'accept' : 'reject';
    this.count(conv.route, server.name, result);
    const text = (type: number) => attributes.find((a) => a.type === type)?.value.toString('utf8') ?? null;
    this.events.finished(ctx, {
      result,
      realm: conv.realm,
      route: conv.route,
      server: server.name,
      outerIdentity: conv.outerIdentity,
      userName: text(Attr.UserName),
      cui: text(Attr.ChargeableUserIdentity),
      startedAt: conv.startedAt,
      rounds: conv.rounds,
    });
    return { code, attributes };
  }
}

import { randomInt } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Config, loadConfig } from './config/load.js';
import { EapServer, type EapResult } from './eap/eap-server.js';
import { createHttpServer, listenHttp } from './http/server.js';
import type { AdminDeps } from './http/admin-api.js';
import { FailurePacer } from './limits/pacing.js';
import { stationKey } from './limits/station-id.js';
import { DecisionRing } from './obs/decision-ring.js';
import { type Logger, createLogger } from './obs/log.js';
import { type Metrics, createMetrics, onScrape } from './obs/metrics.js';
import { ClientTable } from './radius/clients.js';
import { joinEapMessage, splitEapMessage } from './radius/eap-message.js';
import { mppeKeyAttributes } from './radius/mppe.js';
import { Attr, Code, getAttribute, getString } from './radius/packet.js';
import { type HandlerResult, RadiusServer, type RequestContext, codeName } from './radius/server.js';
import { attr } from './radius/serializer.js';
import { StoreSnapshot, startSnapshotRefresher } from './store/snapshot.js';
import { SqliteStore } from './store/sqlite-store.js';
import { CERT_STATUSES } from './store/types.js';
import { HandshakePool } from './tls/engine-pool.js';
import { readTicketKeys } from './tls/ticket-keys.js';
import { verifierFromConfig } from './verify/from-config.js';
import type { Verifier } from './verify/decide.js';
import type { ChainVerifier } from './verify/chain.js';
import type { Decision } from './verify/reasons.js';
import { reject } from './verify/reasons.js';

const STORE_REFRESH_MS = 500;

/**
 * The composition root: config → store → verifier → EAP → RADIUS listeners, plus the HTTP side.
 * Everything long-lived is created here and nowhere else.
 */
export class Gateway {
  readonly metrics: Metrics = createMetrics();
  readonly log: Logger;
  private readonly store: SqliteStore;
  private readonly snapshot: StoreSnapshot;
  private verifier: Verifier;
  private chains: ChainVerifier;
  private readonly eap: EapServer;
  private readonly handshakes: HandshakePool;
  private readonly radius: RadiusServer;
  private readonly pacing: FailurePacer;
  private http: http.Server | undefined;
  private timers: (() => void)[] = [];
  private listening = false;
  /** The last decisions, for the admin API's "why was this member refused?". */
  readonly decisions = new DecisionRing(10_000);
  private storeOpen = false;

  constructor(
    private config: Config,
    logger?: Logger,
  ) {
    this.log = logger ?? createLogger(config.log.level);
    // A store that cannot be opened stops start-up here: never run on an empty store by accident.
    this.store = SqliteStore.open(config.store.path);
    this.snapshot = new StoreSnapshot(this.store);
    this.storeOpen = true;
    ({ verifier: this.verifier, chains: this.chains } = verifierFromConfig(config, this.snapshot));
    this.handshakes = new HandshakePool(config.tls, config.tls.workers, readTicketKeys(config.tls.ticketKeyFile), (err) => this.log.error({ err }, 'TLS worker failed'));
    const m = this.metrics;
    this.eap = new EapServer(
      config.eap,
      this.handshakes.newHandshake,
      (chain, outerIdentity, now) => this.verifier.decide({ chain, outerIdentity, now }),
      (why) => m.eapEvictions.inc({ why }),
    );
    this.pacing = new FailurePacer(config.pacing, { refused: () => m.pacingRefusals.inc(), delayed: (how) => m.pacingDelayed.inc({ how }) });
    this.radius = new RadiusServer(
      new ClientTable(config.radius.clients),
      { [Code.AccessRequest]: { authenticator: 'access', handle: (ctx) => this.onAccessRequest(ctx) } },
      {
        dropped: (reason) => m.radiusDropped.inc({ reason }),
        request: (code, client) => m.radiusRequests.inc({ code: codeName(code), client }),
        replied: (code) => m.radiusReplies.inc({ code: String(code) }),
        error: (err, where) => this.log.error({ err, where }, 'internal error'),
      },
      config.radius.duplicateCacheSeconds * 1000,
      config.radius.maxPendingRequests,
    );
  }

  async start(): Promise<void> {
    for (const warning of this.config.warnings) this.log.warn({ warning }, `configuration warning: ${warning}`);
    await this.radius.listen(this.config.radius.listen);
    this.listening = true;
    this.timers.push(
      startSnapshotRefresher(this.snapshot, STORE_REFRESH_MS, (err) => this.log.error({ err }, 'store refresh failed')),
      // Without a shared key file, ticket keys are ours to rotate; tickets under the old keys
      // then fall back to a full handshake, never to a failure.
      ...(this.config.tls.ticketKeyFile ? [] : [every(this.config.tls.ticketKeyRotationSeconds * 1000, () => this.handshakes.rotateTicketKeys())]),
      every(1000, () => {
        const expired = this.eap.sweep(new Date());
        if (expired) this.metrics.eapEvictions.inc({ why: 'expired' }, expired);
        this.pacing.sweep(Date.now());
      }),
    );
    this.installCollectors();
    if (this.config.http.listen) {
      this.http = createHttpServer(
        {
          readiness: () => this.readiness(),
          registry: this.metrics.registry,
          admin: () => this.adminDeps(),
          onError: (err) => this.log.error({ err }, 'http handler failed'),
        },
        this.config.http.tls,
      );
      await listenHttp(this.http, this.config.http.listen);
    }
    this.log.info({ radius: this.radiusAddresses(), http: this.httpAddress(), store: this.config.store.path, certificates: this.snapshot.size }, 'certgate ready');
  }

  private adminDeps(): AdminDeps | undefined {
    const token = this.config.http.adminToken;
    if (!token) return undefined;
    return {
      token,
      store: this.store,
      changed: () => this.snapshot.refresh(),
      decisions: this.decisions,
      now: () => new Date(),
      audit: (action, fields) => this.log.info({ event: 'audit', action, via: 'admin_api', ...fields }, `admin: ${action}`),
    };
  }

  radiusAddresses(): string[] {
    return this.radius.addresses().map((a) => (a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`));
  }

  httpAddress(): string | undefined {
    const a = this.http?.address() as AddressInfo | null | undefined;
    return a ? (a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`) : undefined;
  }

  readiness() {
    const parts: Record<string, string> = {
      radius: this.listening ? `listening on ${this.radiusAddresses().join(', ')}` : 'not listening',
      store: this.storeOpen ? `open, ${this.snapshot.size} certificates` : 'not open',
    };
    return { ready: this.listening && this.storeOpen, parts };
  }

  /**
   * SIGHUP: re-read and validate the config; apply clients and secrets, TLS certificate and key,
   * trust anchors and log level. Conversations in flight keep the TLS context they started with.
   * An invalid config throws and leaves everything as it was.
   */
  reload(): void {
    const next = loadConfig(this.config.file);
    // Validates the new certificate and key before anything changes (throws on a bad file).
    this.handshakes.reconfigure(next.tls, next.tls.ticketKeyFile ? readTicketKeys(next.tls.ticketKeyFile) : undefined);
    const clients = new ClientTable(next.radius.clients);
    const built = verifierFromConfig(next, this.snapshot);
    this.radius.setClients(clients);
    ({ verifier: this.verifier, chains: this.chains } = built);
    this.log.level = next.log.level;
    this.config = next;
    for (const warning of next.warnings) this.log.warn({ warning }, `configuration warning: ${warning}`);
    this.log.info({ clients: next.radius.clients.length }, 'configuration reloaded');
  }

  /** SIGTERM: stop taking new logins, let those in flight finish (bounded), then close. */
  async shutdown(graceMs = 5000): Promise<void> {
    this.radius.stopAccepting();
    const deadline = Date.now() + graceMs;
    while ((this.eap.table.size > 0 || this.radius.pending > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.close();
  }

  async close(): Promise<void> {
    for (const stop of this.timers) stop();
    this.timers = [];
    await this.radius.close();
    this.eap.close();
    await this.handshakes.close();
    if (this.http) await new Promise<void>((r) => this.http!.close(() => r()));
    this.store.close();
    this.storeOpen = false;
    this.listening = false;
  }

  private async onAccessRequest(ctx: RequestContext): Promise<HandlerResult> {
    const p = ctx.packet;
    const eapBytes = joinEapMessage(p);
    if (!eapBytes) {
      // certgate speaks EAP only: a PAP/CHAP login is refused with a reason, not ignored.
      const decision = reject('eap_protocol', { detail: 'Access-Request without EAP-Message' });
      this.logDecision(ctx, decision, undefined);
      return { code: Code.AccessReject, attributes: [] };
    }
    const mtu = getAttribute(p, Attr.FramedMtu);
    const station = stationKey(getString(p, Attr.CallingStationId));
    const state = getAttribute(p, Attr.State);
    const t = ctx.receivedAt.getTime();
    const refuse = this.pacing.admit(station, state !== undefined, t);
    const facts = { framedMtu: mtu?.length === 4 ? mtu.readUInt32BE(0) : undefined, client: ctx.client.name, callingStationId: station, refuse };
    const r = await this.eap.handle(eapBytes, state, facts, ctx.receivedAt);
    if (r.kind === 'accept') this.pacing.accepted(station);
    else if (r.kind === 'reject' && r.decision.reason !== 'paced') await this.pacing.hold(this.pacing.rejected(station, t));
    return this.toReply(ctx, r);
  }

  private toReply(ctx: RequestContext, r: EapResult): HandlerResult {
    switch (r.kind) {
      case 'drop':
        return { drop: r.reason };
      case 'challenge':
        return { code: Code.AccessChallenge, attributes: [...splitEapMessage(r.eap), attr(Attr.State, r.state)] };
      case 'accept': {
        this.logDecision(ctx, r.decision, r.summary);
        return {
          code: Code.AccessAccept,
          attributes: [
            ...splitEapMessage(r.eap),
            attr(Attr.UserName, r.decision.member ?? r.summary.outerIdentity),
            ...mppeKeyAttributes(r.msk, ctx.client.secret, ctx.packet.authenticator, randomInt(0, 0x8000)),
          ],
        };
      }
      case 'reject':
        this.logDecision(ctx, r.decision, r.summary);
        return { code: Code.AccessReject, attributes: splitEapMessage(r.eap) };
    }
  }

  private logDecision(ctx: RequestContext, d: Decision, s: { outerIdentity: string; tlsVersion?: string | undefined; resumed: boolean; rounds: number; startedAt: number } | undefined): void {
    this.metrics.decisions.inc({ result: d.result, reason: d.reason });
    const now = Date.now();
    if (s) {
      this.metrics.authDuration.observe((now - s.startedAt) / 1000);
      this.metrics.eapRounds.observe(s.rounds);
    }
    const record = {
      time: new Date(now).toISOString(),
      result: d.result,
      reason: d.reason,
      detail: d.detail,
      member: d.member,
      serial: d.serial,
      issuer: d.issuer,
      outerIdentity: s?.outerIdentity ?? getString(ctx.packet, Attr.UserName) ?? null,
      callingStationId: getString(ctx.packet, Attr.CallingStationId) ?? null,
      client: ctx.client.name,
      nas: ctx.source.address,
      tlsVersion: s?.tlsVersion ?? null,
      resumed: s?.resumed ?? false,
      durationMs: s ? now - s.startedAt : 0,
    };
    this.decisions.push(record);
    this.log.info({ event: 'decision', ...record, time: undefined, rounds: s?.rounds ?? 0 }, `login ${d.result}: ${d.reason}`);
  }

  private installCollectors(): void {
    const m = this.metrics;
    // Gauges read at scrape time: no work on the hot path to keep them current.
    const update = () => {
      m.eapSessions.set(this.eap.table.size);
      m.duplicateCache.set(this.radius.duplicates.size);
      m.pacingTracked.set(this.pacing.size);
      m.pacingActive.set(this.pacing.active(Date.now()));
      const counts = this.snapshot.counts();
      for (const s of CERT_STATUSES) m.storeCertificates.set({ status: s }, counts[s]);
      const c = this.chains.cacheSizes;
      m.chainCache.set({ kind: 'certificates' }, c.certificates);
      m.chainCache.set({ kind: 'chains' }, c.chains);
    };
    onScrape(m.registry, update);
  }
}

function every(ms: number, fn: () => void): () => void {
  const t = setInterval(fn, ms);
  t.unref();
  return () => clearInterval(t);
}

import { randomInt } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Config, loadConfig } from './config/load.js';
import { EapServer, type EapResult } from './eap/eap-server.js';
import { createHttpServer, listenHttp } from './http/server.js';
import type { AdminDeps } from './http/admin-api.js';
import type { OcspDeps } from './http/ocsp-route.js';
import type { VerifyDeps } from './http/verify-api.js';
import { OcspResponder } from './ocsp/responder.js';
import type { ConsoleDeps } from './http/console/deps.js';
import { FailurePacer } from './limits/pacing.js';
import { stationKey } from './limits/station-id.js';
import { DecisionRing, decisionRecord } from './obs/decision-ring.js';
import { EduroamServices } from './eduroam/eduroam-services.js';
import { cuiAttribute } from './eduroam/cui.js';
import { type Logger, createLogger } from './obs/log.js';
import { type Metrics, createMetrics, onScrape } from './obs/metrics.js';
import { ClientTable } from './radius/clients.js';
import { joinEapMessage, splitEapMessage } from './radius/eap-message.js';
import { mppeKeyAttributes } from './radius/mppe.js';
import { Attr, Code, getAttribute, getString } from './radius/packet.js';
import { type HandlerResult, RadiusServer, type RequestContext, codeName } from './radius/server.js';
import { attr } from './radius/serializer.js';
import { StoreSnapshot, startSnapshotRefresher } from './store/snapshot.js';
import { createCertStore } from './store/open.js';
import { collectStoreMetrics } from './store/collect.js';
import { storeReadiness } from './store/readiness.js';
import { followSharedTicketKeys } from './store/shared-ticket-keys.js';
import { PgStore } from './store/pg-store.js';
import type { CertStore, StoreEvent } from './store/store.js';
import { CERT_STATUSES, type CertRecord } from './store/types.js';
import { HandshakePool } from './tls/engine-pool.js';
import { readTicketKeys } from './tls/ticket-keys.js';
import { verifierFromConfig } from './verify/from-config.js';
import { restartOnlyChanges } from './config/reload-scope.js';
import { RevocationService } from './revocation/revocation-service.js';
import type { Verifier } from './verify/decide.js';
import type { ChainVerifier } from './verify/chain.js';
import type { Decision } from './verify/reasons.js';
import { reject } from './verify/reasons.js';
import { decideWithPolicy } from './policy/authorize.js';
import { replyAttributes } from './policy/attributes.js';
import { Policy } from './policy/policy.js';
import { ClassTokens, deriveClassKey } from './sessions/class-token.js';
import { consoleSessionSource } from './sessions/console-source.js';
import { LiveSessions } from './sessions/live-sessions.js';
import { SessionDb } from './sessions/session-db.js';
import { DisconnectClient } from './coa/client.js';
import { Disconnector } from './coa/disconnector.js';

const STORE_REFRESH_MS = 500;

/**
 * The composition root: config → store → verifier → EAP → RADIUS listeners, plus the HTTP side.
 * Everything long-lived is created here and nowhere else.
 */
export class Gateway {
  readonly metrics: Metrics = createMetrics();
  readonly log: Logger;
  private readonly store: CertStore;
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
  /** The OCSP responder at /ocsp (ocspResponder in the config); answers from verifier.standing(). */
  private ocsp: OcspResponder | undefined;
  private storeOpen = false;
  /** CRLs and OCSP beyond the store (docs/revocation.md); inert without `revocation:` in the config. */
  readonly revocation: RevocationService;
  /** CUI, realm proxying, accounting (subscribe: eduroam.accounting), F-Ticks: docs/eduroam.md. */
  readonly eduroam: EduroamServices;
  /** Authorization policy: reply attributes per rule (docs/policy-and-sessions.md). */
  private policy: Policy;
  /** Live sessions from accounting, and RFC 5176 Disconnect when their certificate goes out of force. */
  readonly sessions: LiveSessions;
  private readonly disconnector: Disconnector;
  /** The config the process started with: what the restart-only settings still run on. */
  private readonly started: Config;

  constructor(
    private config: Config,
    logger?: Logger,
  ) {
    this.started = config;
    this.log = logger ?? createLogger(config.log.level);
    // A store that cannot be opened stops start-up (here for SQLite, in start() for PostgreSQL):
    // never run on an empty store by accident.
    this.store = createCertStore(config.store, { follow: true, onEvent: (e) => this.onStoreEvent(e) });
    this.snapshot = new StoreSnapshot(this.store);
    this.revocation = new RevocationService(config, { log: this.log, metrics: this.metrics.revocation });
    ({ verifier: this.verifier, chains: this.chains } = verifierFromConfig(config, this.snapshot, this.revocation));
    this.ocsp = this.buildResponder(config);
    this.handshakes = new HandshakePool(config.tls, config.tls.workers, readTicketKeys(config.tls.ticketKeyFile), (err) => this.log.error({ err }, 'TLS worker failed'), config.tls.placement === 'workers' ? 'workers' : undefined);
    const m = this.metrics;
    this.eap = new EapServer(
      config.eap,
      this.handshakes.newHandshake,
      (chain, outerIdentity, now, request) => decideWithPolicy({ verifier: this.verifier, chains: this.chains, policy: this.policy }, { chain, outerIdentity, now, client: request.client }),
      (why) => m.eapEvictions.inc({ why }),
      (sha256) => this.snapshot.byFingerprintHex(sha256.toString('hex'))?.der,
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
    this.eduroam = new EduroamServices({
      config,
      metrics: m,
      log: this.log,
      decisions: this.decisions,
      clients: new ClientTable(config.radius.clients),
      localReject: (ctx, d) => this.logDecision(ctx, d, undefined),
      localRealms: () => this.config.identity.realms,
    });
    this.policy = new Policy(config.policy);
    this.disconnector = new Disconnector(
      new DisconnectClient(config.disconnect, (why, from) => this.log.warn({ why, from: `${from.address}:${from.port}` }, 'Disconnect reply dropped')),
      () => this.config.radius.clients,
    );
    const sessionDb = SessionDb.open(config.sessions.file);
    const sm = m.sessions;
    this.sessions = new LiveSessions({
      limits: sessionLimits(config),
      tokens: new ClassTokens(deriveClassKey(config.sessions.classKey ?? sessionDb.classKey())),
      certificates: this.snapshot,
      disconnect: (s, now) => this.disconnector.disconnect(s, now),
      db: sessionDb,
      log: this.log,
      metrics: { ended: (why) => sm.ended.inc({ why }), ignored: (why) => sm.ignored.inc({ why }), disconnect: (trigger, outcome) => sm.disconnects.inc({ trigger, outcome }) },
      now: () => new Date(),
    });
    this.eduroam.accounting.subscribe((r) => this.sessions.onAccounting(r));
    this.snapshot.onStatusChange((changes) => this.sessions.certificatesChanged(changes));
    // CRL and OCSP revocations end live sessions too, not only the store's (issue 9).
    this.revocation.onRevoked((n) => this.sessions.revokedElsewhere(n));
  }

  async start(): Promise<void> {
    for (const warning of this.config.warnings) this.log.warn({ warning }, `configuration warning: ${warning}`);
    await this.store.connect();
    await this.snapshot.refresh();
    this.storeOpen = true;
    // Sessions kept from before a restart whose certificate was revoked or replaced meanwhile.
    const stale = this.sessions.reconcile();
    if (stale > 0) this.log.info({ sessions: stale }, 'disconnecting live sessions whose certificate went out of force while stopped');
    // Every configured CRL read once before the first login; then watched, fetched, refreshed.
    await this.revocation.start();
    const sharedTickets = await this.followSharedTicketKeys();
    await this.radius.listen(this.config.radius.listen);
    await this.eduroam.start();
    this.listening = true;
    this.timers.push(
      startSnapshotRefresher(this.snapshot, STORE_REFRESH_MS, (err) => this.log.error({ err }, 'store refresh failed')),
      // Without a shared key file, ticket keys are ours to rotate; tickets under the old keys
      // then fall back to a full handshake, never to a failure.
      ...(this.config.tls.ticketKeyFile || sharedTickets ? [] : [every(this.config.tls.ticketKeyRotationSeconds * 1000, () => this.handshakes.rotateTicketKeys())]),
      every(1000, () => {
        this.sessions.sweep();
        this.sessions.flush();
      }),
      every(1000, () => {
        const expired = this.eap.sweep(new Date());
        if (expired) this.metrics.eapEvictions.inc({ why: 'expired' }, expired);
        this.pacing.sweep(Date.now());
      }),
    );
    this.installCollectors();
    onScrape(this.metrics.registry, () => {
      collectStoreMetrics(this.metrics, this.store, this.snapshot, new Date());
      this.metrics.ocspCache.set(this.ocsp?.cacheSize ?? 0);
    });
    if (this.config.http.listen) {
      this.http = createHttpServer(
        {
          readiness: () => this.readiness(),
          registry: this.metrics.registry,
          admin: () => this.adminDeps(),
          console: () => this.consoleDeps(),
          verify: () => this.verifyDeps(),
          ocsp: () => this.ocspDeps(),
          onError: (err) => this.log.error({ err }, 'http handler failed'),
        },
        this.config.http.tls,
      );
      await listenHttp(this.http, this.config.http.listen);
    }
    this.log.info({ radius: this.radiusAddresses(), accounting: this.eduroam.accountingAddresses(), http: this.httpAddress(), store: this.store.describe(), certificates: this.snapshot.size }, 'certgate ready');
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
      sessions: this.sessions,
    };
  }

  /** The helpdesk console: the admin API's powers, plus what its pages show. Off without a token. */
  private consoleDeps(): ConsoleDeps | undefined {
    const admin = this.adminDeps();
    if (!admin) return undefined;
    return {
      ...admin,
      audit: (action, fields) => this.log.info({ event: 'audit', action, via: 'console', ...fields }, `console: ${action}`),
      tls: this.config.http.tls !== undefined,
      revocation: () => {
        const r = this.config.revocation;
        const o = r?.ocsp;
        const responder = o?.url ?? (r?.useCertificateUrls ? 'the responder named in each certificate' : 'no responder URL');
        return {
          crl: r && r.crls.length > 0 ? (this.readiness().parts.crls ?? 'configured') : null,
          ocsp: o?.enabled ? `${responder}; ${o.softFail ? 'soft-fail (logins pass when it does not answer)' : 'hard-fail (logins are refused when it does not answer)'}` : null,
        };
      },
      realms: this.config.identity.realms,
      sessions: consoleSessionSource(this.sessions),
    };
  }

  /** From `ocspResponder`; throws (naming the problem) on a bad certificate or key. */
  private buildResponder(config: Config): OcspResponder | undefined {
    if (!config.ocspResponder) return undefined;
    // The decision pipeline's standing step, through whichever verifier is current (reload swaps it).
    // With `revocation:`, a store-current certificate also goes through the whole decide() (CRLs,
    // upstream OCSP), exactly as a login would; its DER comes from the snapshot.
    const decide = (record: CertRecord, now: Date) =>
      record.der && this.revocation.active ? this.verifier.decide({ chain: [record.der], outerIdentity: null, now }) : Promise.resolve(null);
    return OcspResponder.fromFiles(config.ocspResponder, config.tls.trustAnchors, (issuer, serial, now) => this.verifier.standing(issuer, serial, null, now), decide);
  }

  private ocspDeps(): OcspDeps | undefined {
    const responder = this.ocsp;
    if (!responder) return undefined;
    return {
      responder,
      now: () => new Date(),
      answered: (method, a) => {
        for (const status of a.statuses) this.metrics.ocspResponses.inc({ method, status });
        if (a.signed && a.signed !== 'cached') this.metrics.ocspSignatures.inc({ why: a.signed });
      },
    };
  }

  private verifyDeps(): VerifyDeps | undefined {
    const { adminToken, verifyToken } = this.config.http;
    if (!adminToken && !verifyToken) return undefined;
    return {
      adminToken,
      verifyToken,
      decide: (input) => this.verifier.decide(input),
      now: () => new Date(),
      decided: (d) => {
        this.metrics.verifyDecisions.inc({ result: d.result, reason: d.reason });
        const record = decisionRecord(d, new Date(), {
          outerIdentity: null,
          callingStationId: null,
          client: 'verify_api',
          nas: 'http',
          tlsVersion: null,
          resumed: false,
          durationMs: 0,
        });
        this.decisions.push(record);
        this.log.info({ event: 'verify_decision', ...record, time: undefined }, `verify ${d.result}: ${d.reason}`);
      },
    };
  }

  private onStoreEvent(e: StoreEvent): void {
    if (e.type === 'connected') {
      if (e.reconnect) this.metrics.storeReconnects.inc();
      this.log.info({ store: this.store.describe(), reconnect: e.reconnect }, e.reconnect ? 'store connection back: resynchronising' : 'store connected');
    } else if (e.type === 'disconnected') {
      this.log.error({ store: this.store.describe(), error: e.error, certificates: this.snapshot.size }, 'store connection lost: serving logins from the in-memory snapshot');
    } else if (e.type === 'reconnect_failed') {
      this.log.warn({ store: this.store.describe(), error: e.error, attempt: e.attempt, retryInMs: e.retryInMs }, 'store still unreachable');
    } else {
      this.log.warn({ store: this.store.describe(), error: e.error }, 'store connection error');
    }
  }

  /**
   * With a PostgreSQL store and no ticket key file, TLS ticket keys come from the store (rotated
   * there) so a session started at one gateway resumes at another. Returns whether that is on.
   */
  private async followSharedTicketKeys(): Promise<boolean> {
    const store = this.store;
    if (!(store instanceof PgStore) || this.config.tls.ticketKeyFile) return false;
    const rotate = this.config.tls.ticketKeyRotationSeconds * 1000;
    const follower = followSharedTicketKeys({
      source: store,
      policy: { rotateEveryMs: rotate, keepMs: rotate },
      intervalMs: Math.min(10_000, rotate / 4),
      now: () => new Date(),
      apply: (key) => {
        this.handshakes.reconfigure(this.config.tls, key);
        this.log.info({}, 'TLS ticket keys taken from the shared store');
      },
      onError: (err) => this.log.warn({ err }, 'shared TLS ticket keys not refreshed (keeping the current ones)'),
    });
    this.timers.push(() => follower.stop());
    await follower.sync();
    return true;
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
      // Stays ready while the database is away: logins go on from the snapshot (see store/readiness.ts).
      store: this.storeOpen ? storeReadiness(this.store, this.snapshot) : 'not open',
    };
    const crls = this.revocation.readiness(new Date());
    if (crls) parts.crls = crls.detail;
    if (this.ocsp) parts.ocsp = this.ocsp.describe(new Date());
    return { ready: this.listening && this.storeOpen && (crls?.ready ?? true), parts };
  }

  /**
   * SIGHUP: re-read and validate the config; apply clients and secrets, TLS certificate and key,
   * trust anchors and log level (the full list, and what needs a restart: config/reload-scope.ts).
   * Conversations in flight keep the TLS context they started with. An invalid config throws and
   * leaves everything as it was.
   */
  reload(): void {
    const next = loadConfig(this.config.file);
    // Validates the new certificate and key before anything changes (throws on a bad file).
    this.handshakes.reconfigure(next.tls, next.tls.ticketKeyFile ? readTicketKeys(next.tls.ticketKeyFile) : undefined);
    const clients = new ClientTable(next.radius.clients);
    this.revocation.reconfigure(next);
    const built = verifierFromConfig(next, this.snapshot, this.revocation);
    const ocsp = this.buildResponder(next);
    this.radius.setClients(clients);
    this.eduroam.setClients(clients);
    this.eduroam.reopenLogs();
    ({ verifier: this.verifier, chains: this.chains } = built);
    this.policy = new Policy(next.policy);
    this.sessions.table.limits = sessionLimits(next);
    this.disconnector.settings = next.disconnect;
    this.ocsp = ocsp;
    this.log.level = next.log.level;
    const needRestart = restartOnlyChanges(this.started, next);
    this.config = next;
    for (const warning of next.warnings) this.log.warn({ warning }, `configuration warning: ${warning}`);
    if (needRestart.length) this.log.warn({ keys: needRestart }, `configuration reloaded without ${needRestart.join(', ')}: these take effect at the next start`);
    this.log.info({ clients: next.radius.clients.length, restartPending: needRestart }, 'configuration reloaded');
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
    this.revocation.stop();
    await this.radius.close();
    await this.eduroam.close();
    this.eap.close();
    await this.handshakes.close();
    await this.disconnector.close();
    this.sessions.close();
    if (this.http) await new Promise<void>((r) => this.http!.close(() => r()));
    await this.store.close();
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
    // Other realms go upstream (a refused realm is answered here too); undefined = ours to decide.
    const proxied = await this.eduroam.proxy.handle(ctx, eapBytes);
    if (proxied) return proxied;
    const mtu = getAttribute(p, Attr.FramedMtu);
    const station = stationKey(getString(p, Attr.CallingStationId));
    const state = getAttribute(p, Attr.State);
    const t = ctx.receivedAt.getTime();
    const refuse = this.pacing.admit(station, state !== undefined, t);
    const facts = { framedMtu: mtu?.length === 4 ? mtu.readUInt32BE(0) : undefined, client: ctx.client.name, callingStationId: station, refuse };
    const r = await this.eap.handle(eapBytes, state, facts, ctx.receivedAt);
    const reply = this.toReply(ctx, r); // logs the decision now; pacing only delays the answer
    if (r.kind === 'accept') this.pacing.accepted(station);
    else if (r.kind === 'reject' && r.decision.reason !== 'paced') await this.pacing.hold(this.pacing.rejected(station, t));
    return reply;
  }

  private toReply(ctx: RequestContext, r: EapResult): HandlerResult {
    switch (r.kind) {
      case 'drop':
        return { drop: r.reason };
      case 'challenge':
        return { code: Code.AccessChallenge, attributes: [...splitEapMessage(r.eap), attr(Attr.State, r.state)] };
      case 'accept': {
        const cui = this.eduroam.cui(ctx.packet, r.decision.member ?? r.summary.outerIdentity);
        this.logDecision(ctx, r.decision, r.summary, cui);
        // Our Class token ties the NAS's accounting to this login and certificate (sessions/).
        const token = this.sessions.classValue(r.decision);
        return {
          code: Code.AccessAccept,
          attributes: [
            ...splitEapMessage(r.eap),
            attr(Attr.UserName, r.decision.member ?? r.summary.outerIdentity),
            ...(token === undefined ? [] : [attr(Attr.Class, token)]),
            ...replyAttributes(r.decision.reply ?? {}),
            ...mppeKeyAttributes(r.msk, ctx.client.secret, ctx.packet.authenticator, randomInt(0, 0x8000)),
            ...(cui === undefined ? [] : [cuiAttribute(cui)]),
          ],
        };
      }
      case 'reject':
        this.logDecision(ctx, r.decision, r.summary);
        return { code: Code.AccessReject, attributes: splitEapMessage(r.eap) };
    }
  }

  private logDecision(ctx: RequestContext, d: Decision, s: { outerIdentity: string; tlsVersion?: string | undefined; resumed: boolean; rounds: number; startedAt: number } | undefined, cui?: string): void {
    this.metrics.decisions.inc({ result: d.result, reason: d.reason });
    const now = Date.now();
    if (s) {
      this.metrics.authDuration.observe((now - s.startedAt) / 1000);
      this.metrics.eapRounds.observe(s.rounds);
    }
    const record = decisionRecord(d, new Date(now), {
      outerIdentity: s?.outerIdentity ?? getString(ctx.packet, Attr.UserName) ?? null,
      callingStationId: getString(ctx.packet, Attr.CallingStationId) ?? null,
      client: ctx.client.name,
      nas: ctx.source.address,
      tlsVersion: s?.tlsVersion ?? null,
      resumed: s?.resumed ?? false,
      durationMs: s ? now - s.startedAt : 0,
      ...(cui !== undefined ? { cui } : {}),
      // The policy rule that matched (index in policy:, and its name), once the policy ran.
      ...(d.rule !== undefined ? { rule: d.rule } : {}),
    });
    if (d.result === 'accept' && d.rule !== undefined) this.metrics.sessions.policyMatches.inc({ rule: d.rule ? String(d.rule.index) : 'none' });
    this.decisions.push(record);
    // The log line also carries the revocation facts used (source, CRL/OCSP times, cached or not).
    this.log.info({ event: 'decision', ...record, time: undefined, rounds: s?.rounds ?? 0, revocation: d.revocation?.facts }, `login ${d.result}: ${d.reason}`);
    this.eduroam.loginFinished(ctx, record.outerIdentity, d.result === 'accept');
  }

  private installCollectors(): void {
    const m = this.metrics;
    // Gauges read at scrape time: no work on the hot path to keep them current.
    const reported = { main: 0, worker: 0 };
    const reportedRoutes = new Map<string, number>();
    const update = () => {
      m.eapSessions.set(this.eap.table.size);
      m.duplicateCache.set(this.radius.duplicates.size);
      m.eapHandshakes.set(this.eap.table.handshakes);
      m.tlsInlineShare.set(this.handshakes.inlineShare);
      m.tlsSessionIds.set(this.handshakes.sessionIds);
      // The pool counts (no metric call per handshake); the counter catches up at each scrape.
      for (const thread of ['main', 'worker'] as const) {
        m.tlsHandshakes.inc({ thread }, this.handshakes.started[thread] - reported[thread]);
        reported[thread] = this.handshakes.started[thread];
      }
      for (const [key, r] of this.handshakes.routes) {
        m.tlsServers.inc({ server: r.server, why: r.why }, r.count - (reportedRoutes.get(key) ?? 0));
        reportedRoutes.set(key, r.count);
      }
      m.tlsClientKeys.set(this.handshakes.clientKeysCached);
      m.pacingTracked.set(this.pacing.size);
      m.pacingActive.set(this.pacing.active(Date.now()));
      const counts = this.snapshot.counts();
      for (const s of CERT_STATUSES) m.storeCertificates.set({ status: s }, counts[s]);
      const c = this.chains.cacheSizes;
      m.chainCache.set({ kind: 'certificates' }, c.certificates);
      m.chainCache.set({ kind: 'chains' }, c.chains);
      m.sessions.active.set(this.sessions.size);
      m.sessions.disconnectsOutstanding.set(this.disconnector.outstanding);
    };
    onScrape(m.registry, update);
  }
}

function sessionLimits(c: Config) {
  return { max: c.sessions.maxSessions, maxPerMember: c.sessions.maxPerMember, idleMs: c.sessions.idleTimeoutSeconds * 1000 };
}

function every(ms: number, fn: () => void): () => void {
  const t = setInterval(fn, ms);
  t.unref();
  return () => clearInterval(t);
}

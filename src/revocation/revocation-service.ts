// Revocation as the gateway runs it: the CRL sources (file watchers, URL fetchers), the OCSP client
// and its answer cache, the background refresh, readiness, and a swap to a new set-up on reload.
// Built from the config by the gateway and by `certgate check` alike; without `revocation:` in the
// config it is inert and the decision consults nothing beyond the store.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/load.js';
import type { RevocationMetrics } from '../obs/metrics.js';
import { parseCertificates } from '../verify/cert-facts.js';
import type { ParsedCert } from '../verify/chain.js';
import { type CaInfo, caInfo } from './ca-info.js';
import { CrlFetcher } from './crl-fetcher.js';
import { CrlFileWatcher } from './crl-file-watcher.js';
import { CrlSet, isStale } from './crl-set.js';
import type { HttpFetch } from './http-fetch.js';
import { OcspClient } from './ocsp-client.js';
import { RevocationCache } from './revocation-cache.js';
import { RevocationChecker, type RevocationOutcome } from './revocation-checker.js';
import type { RevocationConfig, RevocationLog, RevokedNotice } from './types.js';

/** Background OCSP refresh: how often to look, and what counts as a recently seen certificate. */
const REFRESH_EVERY_MS = 5_000;
const RECENTLY_USED_MS = 60 * 60_000;

export interface ServiceDeps {
  log?: RevocationLog | undefined;
  metrics?: RevocationMetrics | undefined;
  fetch?: HttpFetch | undefined;
  /** File watcher poll interval (tests shorten it). */
  pollMs?: number | undefined;
  /** Set by RevocationService: fans a newly revoked certificate out to its listeners. */
  revoked?: ((n: RevokedNotice) => void) | undefined;
}

interface Source {
  name: string;
  issuer: CaInfo | undefined;
  load: () => Promise<void>;
  start: () => void;
  stop: () => void;
}

/** One configured set-up: replaced whole on reload, never patched. */
class Runtime {
  readonly crls: CrlSet;
  readonly cache: RevocationCache;
  readonly checker: RevocationChecker;
  private readonly sources: Source[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing = false;

  constructor(
    readonly config: RevocationConfig,
    anchors: CaInfo[],
    private readonly deps: ServiceDeps,
  ) {
    const issuers = new Map<string, CaInfo>();
    const issuerOf = (file: string | undefined): CaInfo | undefined => {
      if (file === undefined) return undefined;
      if (!issuers.has(file)) {
        const der = parseCertificates(readFileSync(file))[0];
        if (!der) throw new Error(`revocation: no certificate in CRL issuer file ${file}`);
        issuers.set(file, caInfo(der));
      }
      return issuers.get(file);
    };
    const declared = config.crls.map((c) => issuerOf(c.issuer));
    this.crls = new CrlSet([...anchors, ...issuers.values()]);
    this.cache = new RevocationCache(config.cacheSize);
    const m = deps.metrics;
    const ocsp = config.ocsp.enabled
      ? new OcspClient({ timeoutMs: config.ocsp.timeoutMs, nonce: config.ocsp.nonce, fetch: deps.fetch, observe: m ? (s, result) => m.ocspDuration.observe({ result }, s) : undefined })
      : undefined;
    this.checker = new RevocationChecker({ config, crls: this.crls, cache: this.cache, ocsp, metrics: m, log: deps.log, revoked: deps.revoked });

    config.crls.forEach((c, i) => {
      const issuer = declared[i];
      if (c.kind === 'file') {
        this.crls.addSource(c.file, issuer);
        const w = new CrlFileWatcher(
          c.file,
          (d) => (d.ok ? this.offer(c.file, d.bytes) : this.failed(c.file, d.why)),
          { pollMs: deps.pollMs },
        );
        this.sources.push({ name: c.file, issuer, load: () => w.loadNow(), start: () => w.start(), stop: () => w.stop() });
      } else {
        this.crls.addSource(c.url, issuer);
        const f = new CrlFetcher(
          c.url,
          c.refreshSeconds,
          config.ocsp.timeoutMs,
          (d) => {
            if (!d.ok) return this.failed(c.url, d.why);
            if (this.offer(c.url, d.bytes)) d.accept();
          },
          () => this.crls.sourceStates().find((s) => s.source === c.url)?.crl?.nextUpdate ?? null,
          deps.fetch,
        );
        this.sources.push({ name: c.url, issuer, load: () => f.fetchNow(), start: () => f.start(), stop: () => f.stop() });
      }
    });
  }

  async load(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.load()));
  }

  start(): void {
    for (const s of this.sources) s.start();
    if (this.config.ocsp.enabled) {
      this.refreshTimer = setInterval(() => {
        if (this.refreshing) return;
        this.refreshing = true;
        this.checker
          .refreshDue(new Date(), RECENTLY_USED_MS)
          .catch((err: unknown) => this.deps.log?.error({ err }, 'OCSP background refresh failed'))
          .finally(() => (this.refreshing = false));
      }, REFRESH_EVERY_MS);
      this.refreshTimer.unref();
    }
  }

  stop(): void {
    for (const s of this.sources) s.stop();
    clearInterval(this.refreshTimer);
  }

  /** True when the bytes are (now or already) the CRL in force. */
  private offer(source: string, bytes: Buffer): boolean {
    const now = new Date();
    const r = this.crls.offer(source, bytes, now);
    const { log, metrics: m } = this.deps;
    m?.crlLoads.inc({ source, outcome: r.outcome });
    if (r.outcome === 'refused') {
      m?.crlLoadFailures.inc({ source });
      log?.warn({ event: 'crl_refused', source, why: r.why }, `CRL from ${source} not taken; the CRL in force stays`);
      return false;
    }
    if (r.outcome === 'installed') {
      const crl = r.crl;
      const dropped = this.cache.dropForNewCrl(crl.issuer.id);
      m?.cacheSize.set(this.cache.size);
      if (crl.nextUpdate) m?.crlNextUpdate.set({ issuer: crl.issuer.label }, crl.nextUpdate.getTime() / 1000);
      if (crl.number !== null) m?.crlNumber.set({ issuer: crl.issuer.label }, Number(crl.number));
      log?.info(
        { event: 'crl_loaded', source, issuer: crl.issuer.subject, crlNumber: crl.number?.toString() ?? null, thisUpdate: crl.thisUpdate.toISOString(), nextUpdate: crl.nextUpdate?.toISOString() ?? null, revoked: crl.revoked.size, cachedAnswersDropped: dropped },
        `CRL of ${crl.issuer.label} in force (${crl.revoked.size} revoked)`,
      );
      // The whole CRL, not a diff against the previous one: a session the NAS did not end last time is asked again.
      if (crl.revoked.size > 0) this.deps.revoked?.({ source: 'crl', issuer: crl.issuer.subject, isRevoked: (serial) => crl.revoked.has(serial) });
    }
    return true;
  }

  private failed(source: string, why: string): void {
    this.crls.failed(source, why, new Date());
    this.deps.metrics?.crlLoads.inc({ source, outcome: 'failed' });
    this.deps.metrics?.crlLoadFailures.inc({ source });
    this.deps.log?.warn({ event: 'crl_load_failed', source, why }, `CRL from ${source} could not be read; the CRL in force stays`);
  }

  /** One line per configured CRL for /readyz; ready when each is loaded and not stale. */
  readiness(now: Date): { ready: boolean; detail: string } {
    const lines: string[] = [];
    let ready = true;
    for (const s of this.crls.sourceStates()) {
      const crl = s.crl;
      if (!crl) {
        ready = false;
        lines.push(`${s.source}: not loaded${s.lastError ? ` (${s.lastError})` : ''}`);
      } else if (isStale(crl, now, this.config.crlPolicy.maxStaleSeconds)) {
        ready = false;
        lines.push(`${s.source}: stale since ${crl.nextUpdate?.toISOString() ?? '?'} (${crl.issuer.label})`);
      } else {
        lines.push(`${s.source}: ${crl.issuer.label}${crl.number !== null ? ` #${crl.number}` : ''}, next update ${crl.nextUpdate?.toISOString() ?? 'none'}${s.lastError ? ` (last attempt failed: ${s.lastError})` : ''}`);
      }
    }
    return { ready, detail: lines.join('; ') || 'no CRLs configured' };
  }
}

export class RevocationService {
  private runtime: Runtime | undefined;
  private key: string;
  private started = false;
  private pending: Runtime | undefined;
  private readonly deps: ServiceDeps;
  private readonly listeners: ((n: RevokedNotice) => void)[] = [];

  constructor(config: Pick<Config, 'revocation' | 'tls'>, deps: ServiceDeps = {}) {
    this.deps = { ...deps, revoked: (n) => this.notify(n) };
    this.key = keyOf(config);
    this.runtime = build(config, this.deps);
  }

  /** Called when a CRL swapped in or an OCSP answer says certificates are revoked (e.g. to end their sessions). */
  onRevoked(listener: (n: RevokedNotice) => void): void {
    this.listeners.push(listener);
  }

  private notify(n: RevokedNotice): void {
    for (const l of this.listeners) {
      try {
        l(n);
      } catch (err) {
        // A listener's failure must not stop a CRL from being taken.
        this.deps.log?.error({ err, source: n.source }, 'revocation listener failed');
      }
    }
  }

  /** True when the config asks for revocation beyond the store. */
  get active(): boolean {
    return this.runtime !== undefined;
  }

  /**
   * Loads every CRL once (and waits for it); with `background` also starts the file watchers, URL
   * fetchers and OCSP refresh. A CRL that cannot be loaded is logged, counted and shown by
   * readiness; start-up goes on (the store still answers, that issuer's certificates fail closed).
   */
  async start(opts: { background: boolean } = { background: true }): Promise<void> {
    if (!this.runtime) return;
    await this.runtime.load();
    if (opts.background) {
      this.runtime.start();
      this.started = true;
    }
  }

  stop(): void {
    this.runtime?.stop();
    this.pending?.stop();
    this.started = false;
  }

  check(path: readonly ParsedCert[], anchor: ParsedCert, now: Date): Promise<RevocationOutcome> | null {
    return this.runtime ? this.runtime.checker.check(path, anchor, now) : null;
  }

  /** The store says this certificate is revoked: drop what the cache holds for it. */
  forget(issuerCert: ParsedCert, serial: string): void {
    this.runtime?.checker.forget(issuerCert, serial);
  }

  /** For /readyz; undefined when no revocation is configured. */
  readiness(now: Date): { ready: boolean; detail: string } | undefined {
    return this.runtime?.readiness(now);
  }

  get cacheSize(): number {
    return this.runtime?.cache.size ?? 0;
  }

  /**
   * SIGHUP: an unchanged `revocation:` (and trust anchors) keeps everything, cache included; a
   * changed one is built and loaded beside the running one and takes over once loaded. Throws
   * (before anything changes) when the new set-up cannot be built, e.g. an unreadable issuer file.
   */
  reconfigure(config: Pick<Config, 'revocation' | 'tls'>): void {
    const key = keyOf(config);
    if (key === this.key) return;
    const next = build(config, this.deps);
    this.key = key;
    this.pending?.stop();
    this.pending = next;
    if (!next) {
      this.runtime?.stop();
      this.runtime = undefined;
      this.pending = undefined;
      return;
    }
    void next.load().then(() => {
      if (this.pending !== next) return;
      this.pending = undefined;
      this.runtime?.stop();
      this.runtime = next;
      if (this.started) next.start();
      this.deps.log?.info({ event: 'revocation_reconfigured', crls: next.config.crls.length, ocsp: next.config.ocsp.enabled }, 'revocation configuration applied');
    });
  }
}

function build(config: Pick<Config, 'revocation' | 'tls'>, deps: ServiceDeps): Runtime | undefined {
  if (!config.revocation) return undefined;
  const anchors = config.tls.trustAnchors.flatMap((f) => parseCertificates(readFileSync(f))).map((der) => caInfo(der));
  return new Runtime(config.revocation, anchors, deps);
}

/** What the set-up depends on: the revocation config and the trust anchors' contents. */
function keyOf(config: Pick<Config, 'revocation' | 'tls'>): string {
  if (!config.revocation) return 'off';
  const anchors = config.tls.trustAnchors.map((f) => createHash('sha256').update(readFileSync(f)).digest('hex'));
  return JSON.stringify({ r: config.revocation, a: anchors });
}

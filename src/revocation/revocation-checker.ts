// The revocation step of the decision, for every certificate below the trust anchor (the leaf and
// each intermediate). The store has already spoken (decide() checks it first, an operator's
// revocation wins at once); then, per certificate: the answer cache → the issuer's CRL (a hash
// probe) → OCSP (only when nothing in memory answers and the config says to ask). The outcome is a
// value: which certificate, which source, what it said, cached or not.
import type { RevocationMetrics } from '../obs/metrics.js';
import type { ParsedCert } from '../verify/chain.js';
import { REASON_CODES, type RevocationReason } from '../store/types.js';
import { type CaInfo, caInfo, ocspUrls } from './ca-info.js';
import { type CrlSet, type LoadedCrl, isStale } from './crl-set.js';
import type { OcspClient, OcspOutcome } from './ocsp-client.js';
import { type CachedAnswer, type RevocationCache, expiryOf } from './revocation-cache.js';
import type { RevocationConfig, RevocationFact, RevocationLog, RevokedNotice } from './types.js';

export type RevocationRejectReason = 'revoked_crl' | 'revoked_ocsp' | 'ocsp_unknown' | 'ocsp_unavailable' | 'crl_stale';

export interface RevocationOutcome {
  /** null: every certificate passed (possibly by soft-fail, see the facts). */
  reject: { reason: RevocationRejectReason; detail: string } | null;
  facts: RevocationFact[];
}

interface Verdict {
  fact: RevocationFact;
  reject: { reason: RevocationRejectReason; detail: string } | null;
}

const SEVERITY: Readonly<Record<RevocationRejectReason, number>> = { revoked_crl: 3, revoked_ocsp: 3, ocsp_unknown: 2, crl_stale: 1, ocsp_unavailable: 1 };

export interface CheckerDeps {
  config: RevocationConfig;
  crls: CrlSet;
  cache: RevocationCache;
  ocsp: OcspClient | undefined;
  metrics: RevocationMetrics | undefined;
  log: RevocationLog | undefined;
  /** A fresh OCSP answer said revoked (login or background refresh): live sessions must end. */
  revoked?: ((n: RevokedNotice) => void) | undefined;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const reasonName = (code: number | null): string | undefined =>
  code === null ? undefined : ((Object.keys(REASON_CODES) as RevocationReason[]).find((n) => REASON_CODES[n] === code) ?? `reason code ${code}`);
const short = (subject: string) => /CN=([^,]+)/.exec(subject)?.[1] ?? subject;

export class RevocationChecker {
  private readonly issuers = new WeakMap<ParsedCert, CaInfo>();
  private readonly inflight = new Map<string, Promise<OcspOutcome>>();

  constructor(private readonly deps: CheckerDeps) {}

  /** `path` leaf first (as ChainVerifier built it), `anchor` the trust anchor it ends at. */
  async check(path: readonly ParsedCert[], anchor: ParsedCert, now: Date): Promise<RevocationOutcome> {
    const verdicts: (Verdict | Promise<Verdict>)[] = [];
    for (let i = 0; i < path.length; i++) verdicts.push(this.checkOne(path[i]!, this.issuerOf(path[i + 1] ?? anchor), now));
    const done = await Promise.all(verdicts);
    let worst: Verdict['reject'] = null;
    for (const v of done) if (v.reject && (!worst || SEVERITY[v.reject.reason] > SEVERITY[worst.reason])) worst = v.reject;
    return { reject: worst, facts: done.map((v) => v.fact) };
  }

  /** The store revoked this certificate: a cached answer must not outlive that. */
  forget(issuerCert: ParsedCert, serial: string): void {
    this.deps.cache.delete(this.issuerOf(issuerCert).id, serial);
  }

  /** Re-asks the responder for recently used answers close to expiry (the background refresher). */
  async refreshDue(now: Date, usedWithinMs: number): Promise<number> {
    const ocsp = this.deps.ocsp;
    if (!ocsp) return 0;
    const due = this.deps.cache.dueForRefresh(now.getTime(), now.getTime() - usedWithinMs);
    let refreshed = 0;
    // A few at a time: the responder serves other gateways too.
    for (let i = 0; i < due.length; i += 4) {
      const batch = due.slice(i, i + 4);
      const results = await Promise.all(batch.map((e) => this.ask(e.url, e.issuer, e.serial, e.subject, now)));
      refreshed += results.filter((r) => r.kind === 'answer').length;
    }
    return refreshed;
  }

  private issuerOf(cert: ParsedCert): CaInfo {
    let info = this.issuers.get(cert);
    if (!info) {
      info = caInfo(cert.facts.der);
      this.issuers.set(cert, info);
    }
    return info;
  }

  private checkOne(cert: ParsedCert, issuer: CaInfo, now: Date): Verdict | Promise<Verdict> {
    const { cache, crls, config, metrics } = this.deps;
    const serial = cert.facts.serial;
    const base = { subject: cert.facts.subject, serial, issuer: issuer.subject };

    // 1. An answer in memory (an OCSP response still inside its validity).
    const hit = cache.get(issuer.id, serial, now.getTime());
    if (hit) {
      metrics?.cacheHits.inc();
      return this.fromOcsp(base, hit, true);
    }

    // 2. The issuer's CRL.
    const crl = crls.forIssuer(issuer.id);
    let staleCrl: LoadedCrl | 'none' | undefined;
    if (crl) {
      if (!isStale(crl, now, config.crlPolicy.maxStaleSeconds)) return this.fromCrl(base, crl);
      staleCrl = crl;
    } else if (crls.expects(issuer.id)) staleCrl = 'none';

    // 3. OCSP, when enabled and a responder is known for this certificate.
    const url = this.deps.ocsp ? (config.ocsp.url ?? (config.useCertificateUrls ? ocspUrls(cert.x509)[0] : undefined)) : undefined;
    if (url === undefined) {
      if (staleCrl !== undefined) return this.staleVerdict(base, staleCrl, undefined);
      metrics?.checks.inc({ source: 'none', result: 'not_covered' });
      return { fact: { ...base, source: 'none', status: 'not_covered', cached: false, thisUpdate: null, nextUpdate: null }, reject: null };
    }
    metrics?.cacheMisses.inc();
    return this.ask(url, issuer, serial, cert.facts.subject, now).then((out): Verdict => {
      if (out.kind === 'answer') {
        const entry = cache.get(issuer.id, serial, now.getTime());
        if (entry) return this.fromOcsp(base, entry, false);
        // Not cacheable (already at its expiry): use it once.
        return this.fromOcsp(base, { issuer, serial, subject: cert.facts.subject, url, answer: out.answer, fetchedAt: now.getTime(), expiresAt: now.getTime(), lastUsed: now.getTime() }, false);
      }
      if (staleCrl !== undefined) return this.staleVerdict(base, staleCrl, out.why);
      const fact: RevocationFact = { ...base, source: 'ocsp', status: 'unavailable', cached: false, thisUpdate: null, nextUpdate: null, from: url, detail: out.why };
      metrics?.checks.inc({ source: 'ocsp', result: 'unavailable' });
      if (config.ocsp.softFail) return this.softPass(fact, 'ocsp', `OCSP unavailable for ${short(base.subject)} (${serial}), passed by ocsp.softFail: ${out.why}`);
      return { fact, reject: { reason: 'ocsp_unavailable', detail: `no OCSP answer for ${short(base.subject)} (serial ${serial}) and nothing cached: ${out.why}` } };
    });
  }

  /** One request per issuer+serial at a time; a verified answer goes into the cache. */
  private ask(url: string, issuer: CaInfo, serial: string, subject: string, now: Date): Promise<OcspOutcome> {
    const key = `${issuer.id}:${serial}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.deps.ocsp!.query(url, issuer, serial, now).then((out) => {
        if (out.kind === 'answer') {
          const fetchedAt = now.getTime();
          const expiresAt = expiryOf(out.answer, fetchedAt, this.deps.config.ocsp.maxCacheSeconds);
          if (expiresAt > fetchedAt) this.deps.cache.set({ issuer, serial, subject, url, answer: out.answer, fetchedAt, expiresAt });
          else this.deps.cache.delete(issuer.id, serial);
          this.deps.metrics?.cacheSize.set(this.deps.cache.size);
          if (out.answer.status === 'revoked') this.deps.revoked?.({ source: 'ocsp', issuer: issuer.subject, serial });
        } else {
          this.deps.log?.warn({ event: 'ocsp_unavailable', responder: url, serial, breakerOpen: out.breakerOpen, why: out.why }, 'OCSP responder gave no usable answer');
        }
        return out;
      });
      const entry = p;
      this.inflight.set(key, entry);
      void entry.finally(() => {
        if (this.inflight.get(key) === entry) this.inflight.delete(key);
      });
    }
    return p;
  }

  private fromCrl(base: Pick<RevocationFact, 'subject' | 'serial' | 'issuer'>, crl: LoadedCrl): Verdict {
    const entry = crl.revoked.get(base.serial);
    const fact: RevocationFact = {
      ...base,
      source: 'crl',
      status: entry ? 'revoked' : 'good',
      cached: true,
      thisUpdate: iso(crl.thisUpdate),
      nextUpdate: iso(crl.nextUpdate),
      ...(crl.number !== null ? { crlNumber: crl.number.toString() } : {}),
      from: crl.source,
    };
    this.deps.metrics?.checks.inc({ source: 'crl', result: fact.status });
    if (!entry) return { fact, reject: null };
    const reason = reasonName(entry.reason);
    fact.revokedAt = new Date(entry.revokedAt).toISOString();
    if (reason) fact.revocationReason = reason;
    return {
      fact,
      reject: { reason: 'revoked_crl', detail: `${short(base.subject)} (serial ${base.serial}) is on the CRL of ${short(base.issuer)}${crl.number !== null ? ` (CRL Number ${crl.number})` : ''}: revoked ${fact.revokedAt}${reason ? ` (${reason})` : ''}` },
    };
  }

  private fromOcsp(base: Pick<RevocationFact, 'subject' | 'serial' | 'issuer'>, e: CachedAnswer, cached: boolean): Verdict {
    const a = e.answer;
    const fact: RevocationFact = { ...base, source: 'ocsp', status: a.status, cached, thisUpdate: iso(a.thisUpdate), nextUpdate: iso(a.nextUpdate), from: e.url };
    this.deps.metrics?.checks.inc({ source: 'ocsp', result: a.status });
    if (a.status === 'good') return { fact, reject: null };
    if (a.status === 'unknown') {
      return { fact, reject: { reason: 'ocsp_unknown', detail: `responder ${e.url} does not know ${short(base.subject)} (serial ${base.serial}); unknown is not good` } };
    }
    const reason = reasonName(a.reason);
    if (a.revokedAt) fact.revokedAt = a.revokedAt.toISOString();
    if (reason) fact.revocationReason = reason;
    return { fact, reject: { reason: 'revoked_ocsp', detail: `responder ${e.url} says ${short(base.subject)} (serial ${base.serial}) is revoked${fact.revokedAt ? ` since ${fact.revokedAt}` : ''}${reason ? ` (${reason})` : ''}` } };
  }

  private staleVerdict(base: Pick<RevocationFact, 'subject' | 'serial' | 'issuer'>, crl: LoadedCrl | 'none', ocspWhy: string | undefined): Verdict {
    const loaded = crl === 'none' ? undefined : crl;
    const what = loaded ? `the CRL of ${short(base.issuer)} is stale (nextUpdate ${loaded.nextUpdate?.toISOString() ?? '?'})` : `no valid CRL of ${short(base.issuer)} is loaded`;
    const fact: RevocationFact = {
      ...base,
      source: 'crl',
      status: 'stale',
      cached: true,
      thisUpdate: iso(loaded?.thisUpdate ?? null),
      nextUpdate: iso(loaded?.nextUpdate ?? null),
      ...(loaded && loaded.number !== null ? { crlNumber: loaded.number.toString() } : {}),
      ...(loaded ? { from: loaded.source } : {}),
      detail: ocspWhy ? `${what}; OCSP: ${ocspWhy}` : what,
    };
    this.deps.metrics?.checks.inc({ source: 'crl', result: 'stale' });
    if (this.deps.config.crlPolicy.softFail) return this.softPass(fact, 'crl', `${what}: ${short(base.subject)} (${base.serial}) passed by crlPolicy.softFail`);
    return { fact, reject: { reason: 'crl_stale', detail: `${what}${ocspWhy ? `, and OCSP gave no answer (${ocspWhy})` : ''}` } };
  }

  private softPass(fact: RevocationFact, source: 'crl' | 'ocsp', message: string): Verdict {
    fact.softFail = true;
    this.deps.metrics?.softFails.inc({ source });
    this.deps.log?.warn({ event: 'revocation_soft_fail', source, serial: fact.serial, subject: fact.subject, detail: fact.detail }, message);
    return { fact, reject: null };
  }
}

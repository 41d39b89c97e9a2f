// The revocation step in memory: cache → CRL → OCSP, with a fake HTTP transport serving the
// openssl-made responses, and a clock we set.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRevocationMetrics } from '../../src/obs/metrics.js';
import { CircuitBreaker } from '../../src/revocation/circuit-breaker.js';
import { CrlSet } from '../../src/revocation/crl-set.js';
import { type HttpFetch, HttpFetchError, type HttpRequest } from '../../src/revocation/http-fetch.js';
import { OcspClient } from '../../src/revocation/ocsp-client.js';
import { RevocationCache, expiryOf } from '../../src/revocation/revocation-cache.js';
import { RevocationChecker } from '../../src/revocation/revocation-checker.js';
import type { RevocationConfig } from '../../src/revocation/types.js';
import { NOW, ca, otherCa, parsed, vector } from './vectors.js';

const URL_ = 'http://127.0.0.1:9/ocsp';

function config(over: Partial<RevocationConfig> = {}, ocsp: Partial<RevocationConfig['ocsp']> = {}): RevocationConfig {
  return {
    crls: [],
    crlPolicy: { maxStaleSeconds: 0, softFail: false },
    ocsp: { enabled: false, url: undefined, timeoutMs: 500, softFail: false, maxCacheSeconds: 3600, nonce: false, ...ocsp },
    useCertificateUrls: false,
    cacheSize: 100,
    ...over,
  };
}

/** A transport that answers with the named vector (or fails), and counts requests. */
function transport() {
  const t = {
    answer: 'resp-good.der' as string | 'down',
    requests: [] as HttpRequest[],
    fetch: (async (req) => {
      t.requests.push(req);
      if (t.answer === 'down') throw new HttpFetchError(`${req.url}: ECONNREFUSED`);
      return { status: 200, headers: new Headers(), body: vector(t.answer) };
    }) as HttpFetch,
  };
  return t;
}

function setup(cfg: RevocationConfig, crls: string[] = []) {
  const metrics = createRevocationMetrics(new Registry());
  const set = new CrlSet([ca()]);
  for (const f of crls) set.offer('crl', vector(f), NOW);
  const cache = new RevocationCache(cfg.cacheSize);
  const http = transport();
  const ocsp = cfg.ocsp.enabled ? new OcspClient({ timeoutMs: 500, nonce: false, fetch: http.fetch }) : undefined;
  const warnings: string[] = [];
  const log = { info: () => undefined, error: () => undefined, warn: (_f: object, m: string) => void warnings.push(m) };
  const checker = new RevocationChecker({ config: cfg, crls: set, cache, ocsp, metrics, log });
  const member = parsed('member.pem');
  const anchor = parsed('ca.pem');
  const stray = parsed('stray.pem');
  return { checker, cache, set, http, metrics, warnings, check: (at = NOW, leaf = member) => checker.check([leaf], anchor, at), member, anchor, stray };
}

const value = async (m: { get(): Promise<{ values: { value: number; labels: object }[] }> }, labels: object = {}) =>
  (await m.get()).values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value ?? 0;

describe('revocation checker: CRLs', () => {
  it('a certificate not on the fresh CRL passes, with the CRL facts', async () => {
    const s = setup(config(), ['crl-1.der']);
    const r = await s.check();
    expect(r.reject).toBeNull();
    expect(r.facts).toEqual([expect.objectContaining({ serial: '2A', source: 'crl', status: 'good', cached: true, crlNumber: '1', from: 'crl' })]);
    expect(await value(s.metrics.checks, { source: 'crl', result: 'good' })).toBe(1);
  });

  it('a certificate on the CRL is revoked_crl, naming the CRL and reason', async () => {
    const r = await setup(config(), ['crl-2.pem']).check();
    expect(r.reject).toMatchObject({ reason: 'revoked_crl', detail: expect.stringMatching(/CRL Number 2.*keyCompromise/) });
    expect(r.facts[0]).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
  });

  it('a stale CRL rejects with crl_stale; softFail passes, counted and logged', async () => {
    const s = setup(config(), ['crl-1.der']);
    const late = new Date(s.set.forIssuer(ca().id)!.nextUpdate!.getTime() + 1000);
    expect((await s.check(late)).reject).toMatchObject({ reason: 'crl_stale' });
    const soft = setup(config({ crlPolicy: { maxStaleSeconds: 0, softFail: true } }), ['crl-1.der']);
    const r = await soft.check(late);
    expect(r.reject).toBeNull();
    expect(r.facts[0]).toMatchObject({ status: 'stale', softFail: true });
    expect(await value(soft.metrics.softFails, { source: 'crl' })).toBe(1);
    expect(soft.warnings[0]).toMatch(/softFail/);
    // maxStaleSeconds stretches the use of a CRL past nextUpdate.
    expect((await setup(config({ crlPolicy: { maxStaleSeconds: 60, softFail: false } }), ['crl-1.der']).check(late)).reject).toBeNull();
  });

  it('an issuer promised a CRL that never loaded fails closed (crl_stale)', async () => {
    const s = setup(config());
    s.set.addSource('missing.crl', ca());
    expect((await s.check()).reject).toMatchObject({ reason: 'crl_stale', detail: expect.stringMatching(/no valid CRL/) });
  });

  it('with no source for an issuer, nothing is checked and the fact says so', async () => {
    const r = await setup(config()).check();
    expect(r).toEqual({ reject: null, facts: [expect.objectContaining({ source: 'none', status: 'not_covered' })] });
  });
});

describe('revocation checker: OCSP and the answer cache', () => {
  const ocspOn = (o: Partial<RevocationConfig['ocsp']> = {}) => config({}, { enabled: true, url: URL_, ...o });

  it('asks on a miss (GET, small request), then answers from the cache', async () => {
    const s = setup(ocspOn());
    const first = await s.check();
    expect(first.reject).toBeNull();
    expect(first.facts[0]).toMatchObject({ source: 'ocsp', status: 'good', cached: false, from: URL_ });
    expect(s.http.requests).toHaveLength(1);
    expect(s.http.requests[0]!.method).toBe('GET');
    const second = await s.check(new Date(NOW.getTime() + 1000));
    expect(second.facts[0]).toMatchObject({ status: 'good', cached: true });
    expect(s.http.requests).toHaveLength(1);
    expect(await value(s.metrics.cacheHits)).toBe(1);
    expect(await value(s.metrics.cacheMisses)).toBe(1);
  });

  it('revoked_ocsp and ocsp_unknown', async () => {
    const s = setup(ocspOn());
    s.http.answer = 'resp-revoked.der';
    expect((await s.check()).reject).toMatchObject({ reason: 'revoked_ocsp', detail: expect.stringMatching(/keyCompromise/) });
    s.http.answer = 'resp-unknown.der';
    expect((await s.check(NOW, s.stray)).reject).toMatchObject({ reason: 'ocsp_unknown' });
  });

  it('responder down: a cached answer still passes; nothing cached rejects, or passes with softFail', async () => {
    const s = setup(ocspOn());
    await s.check();
    s.http.answer = 'down';
    const cached = await s.check(new Date(NOW.getTime() + 5000));
    expect(cached.reject).toBeNull();
    expect(cached.facts[0]).toMatchObject({ cached: true });

    const cold = setup(ocspOn());
    cold.http.answer = 'down';
    expect((await cold.check()).reject).toMatchObject({ reason: 'ocsp_unavailable', detail: expect.stringMatching(/ECONNREFUSED/) });
    const soft = setup(ocspOn({ softFail: true }));
    soft.http.answer = 'down';
    const r = await soft.check();
    expect(r.reject).toBeNull();
    expect(r.facts[0]).toMatchObject({ status: 'unavailable', softFail: true });
    expect(await value(soft.metrics.softFails, { source: 'ocsp' })).toBe(1);
  });

  it('an error status or an invalid response is "unavailable", never an answer', async () => {
    const s = setup(ocspOn());
    s.http.answer = 'resp-trylater.der';
    expect((await s.check()).reject).toMatchObject({ reason: 'ocsp_unavailable', detail: expect.stringMatching(/tryLater/) });
    s.http.answer = 'resp-rogue.der';
    expect((await s.check()).reject).toMatchObject({ reason: 'ocsp_unavailable', detail: expect.stringMatching(/invalid response/) });
  });

  it('a failing responder gets a circuit breaker: after 3 failures no request goes out', async () => {
    const s = setup(ocspOn());
    s.http.answer = 'down';
    for (let i = 0; i < 3; i++) await s.check(new Date(NOW.getTime() + i));
    expect(s.http.requests).toHaveLength(3);
    const r = await s.check(new Date(NOW.getTime() + 10));
    expect(r.reject).toMatchObject({ reason: 'ocsp_unavailable', detail: expect.stringMatching(/failed repeatedly/) });
    expect(s.http.requests).toHaveLength(3);
  });

  it('concurrent misses for one certificate share one request', async () => {
    const s = setup(ocspOn());
    await Promise.all([s.check(), s.check(), s.check()]);
    expect(s.http.requests).toHaveLength(1);
  });

  it('a stale CRL falls through to OCSP; OCSP\'s answer counts', async () => {
    const s = setup(ocspOn(), ['crl-1.der']);
    const late = new Date(s.set.forIssuer(ca().id)!.nextUpdate!.getTime() + 1000);
    s.http.answer = 'down';
    expect((await s.check(late)).reject).toMatchObject({ reason: 'crl_stale', detail: expect.stringMatching(/OCSP gave no answer/) });
  });

  it('the cache expires at min(nextUpdate, maxCacheSeconds) and refreshes used entries ahead of it', async () => {
    const s = setup(ocspOn({ maxCacheSeconds: 3600 }));
    await s.check();
    const entry = s.cache.get(ca().id, '2A', NOW.getTime())!;
    expect(entry.expiresAt).toBe(entry.answer.nextUpdate!.getTime()); // 10 minutes < 1 hour
    expect(expiryOf(entry.answer, NOW.getTime(), 60)).toBe(NOW.getTime() + 60_000);
    // Nothing due while far from expiry; due within the last fifth of its life.
    expect(await s.checker.refreshDue(NOW, 3_600_000)).toBe(0);
    const nearEnd = new Date(entry.expiresAt - 60_000);
    expect(await s.checker.refreshDue(nearEnd, 3_600_000)).toBe(1);
    expect(s.http.requests).toHaveLength(2);
    // An entry nobody used recently is left to expire.
    expect(await s.checker.refreshDue(nearEnd, 1)).toBe(0);
  });

  it('a new CRL for an issuer drops its cached answers, except revocations', () => {
    const cache = new RevocationCache(10);
    const answer = { status: 'good' as const, thisUpdate: NOW, nextUpdate: null, producedAt: NOW, revokedAt: null, reason: null, signer: 'x', nonceEchoed: null };
    const entry = (serial: string, status: 'good' | 'revoked' | 'unknown', issuer = ca()) =>
      cache.set({ issuer, serial, subject: 'm', url: URL_, answer: { ...answer, status }, fetchedAt: NOW.getTime(), expiresAt: NOW.getTime() + 60_000 });
    entry('2A', 'good');
    entry('2B', 'unknown');
    entry('2C', 'revoked');
    entry('2A', 'good', otherCa());
    expect(cache.dropForNewCrl(ca().id)).toBe(2);
    expect(cache.get(ca().id, '2A', NOW.getTime())).toBeUndefined();
    expect(cache.get(ca().id, '2B', NOW.getTime())).toBeUndefined();
    expect(cache.get(ca().id, '2C', NOW.getTime())).toBeDefined();
    expect(cache.get(otherCa().id, '2A', NOW.getTime())).toBeDefined();
  });

  it('the cache is bounded', () => {
    const cache = new RevocationCache(2);
    const answer = { status: 'good' as const, thisUpdate: NOW, nextUpdate: null, producedAt: NOW, revokedAt: null, reason: null, signer: 'x', nonceEchoed: null };
    for (const serial of ['01', '02', '03']) cache.set({ issuer: ca(), serial, subject: 's', url: URL_, answer, fetchedAt: 0, expiresAt: 1e15 });
    expect(cache.size).toBe(2);
    expect(cache.get(ca().id, '01', 0)).toBeUndefined();
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, lets one trial through after the back-off, doubles it on failure, closes on success', () => {
    const b = new CircuitBreaker({ threshold: 2, baseBackoffMs: 1000, maxBackoffMs: 3000 });
    expect(b.allow(0)).toBe(true);
    b.failure(0);
    expect(b.state(0)).toBe('closed');
    b.failure(10);
    expect(b.state(10)).toBe('open');
    expect(b.allow(500)).toBe(false);
    expect(b.allow(1010)).toBe(true); // half-open trial
    expect(b.allow(1011)).toBe(false); // only one at a time
    b.failure(1020);
    expect(b.state(2500)).toBe('open'); // back-off doubled to 2000
    expect(b.allow(3020)).toBe(true);
    b.failure(3030);
    expect(b.retryAt()).toBe(3030 + 3000); // capped
    expect(b.allow(6030)).toBe(true);
    b.success();
    expect(b.state(6031)).toBe('closed');
  });
});

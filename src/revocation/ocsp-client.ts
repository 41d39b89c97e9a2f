// Asks an OCSP responder about one certificate: GET when the request is small (RFC 5019/9919:
// cacheable by HTTP caches), POST otherwise; each responder URL behind its own circuit breaker.
// Returns a verified answer or "unavailable" with the reason; never throws for I/O.
import { randomBytes } from 'node:crypto';
import type { CaInfo } from './ca-info.js';
import { CircuitBreaker, type BreakerOptions, DEFAULT_BREAKER } from './circuit-breaker.js';
import { HttpFetchError, type HttpFetch, httpFetch } from './http-fetch.js';
import { type OcspAnswer, encodeOcspRequest, ocspGetUrl, verifyOcspResponse } from './ocsp-codec.js';

export type OcspOutcome =
  | { kind: 'answer'; answer: OcspAnswer; url: string }
  | { kind: 'unavailable'; why: string; url: string; breakerOpen: boolean };

export interface OcspClientOptions {
  timeoutMs: number;
  nonce: boolean;
  /** GET when the URL-encoded request fits in this many bytes (255 per RFC 5019), else POST. */
  maxGetBytes?: number;
  breaker?: BreakerOptions;
  fetch?: HttpFetch;
  /** Called once per HTTP exchange (not for breaker refusals). */
  observe?: (seconds: number, result: 'answer' | 'error_status' | 'invalid' | 'http_error' | 'network') => void;
}

const MAX_RESPONSE_BYTES = 1 << 20;
/** At most this many responder URLs get a breaker (URLs come from config or certificates). */
const MAX_RESPONDERS = 64;

export class OcspClient {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly fetch: HttpFetch;

  constructor(private readonly opts: OcspClientOptions) {
    this.fetch = opts.fetch ?? httpFetch;
  }

  breakerState(url: string, now: Date) {
    return this.breakers.get(url)?.state(now.getTime()) ?? 'closed';
  }

  async query(url: string, issuer: CaInfo, serial: string, now: Date): Promise<OcspOutcome> {
    const breaker = this.breaker(url);
    if (!breaker.allow(now.getTime())) {
      return { kind: 'unavailable', url, breakerOpen: true, why: `responder ${url} failed repeatedly; next try after ${new Date(breaker.retryAt()).toISOString()}` };
    }
    const nonce = this.opts.nonce ? randomBytes(16) : undefined;
    const request = encodeOcspRequest(issuer, serial, nonce);
    const getUrl = ocspGetUrl(url, request);
    const useGet = encodeURIComponent(request.toString('base64')).length <= (this.opts.maxGetBytes ?? 255);
    const started = performance.now();
    let result: 'answer' | 'error_status' | 'invalid' | 'http_error' | 'network' = 'network';
    try {
      const res = await this.fetch(
        useGet
          ? { url: getUrl, method: 'GET', timeoutMs: this.opts.timeoutMs, maxBytes: MAX_RESPONSE_BYTES, headers: { accept: 'application/ocsp-response' } }
          : { url, method: 'POST', body: request, timeoutMs: this.opts.timeoutMs, maxBytes: MAX_RESPONSE_BYTES, headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' } },
      );
      if (res.status !== 200) {
        result = 'http_error';
        breaker.failure(now.getTime());
        return { kind: 'unavailable', url, breakerOpen: false, why: `responder ${url} answered HTTP ${res.status}` };
      }
      const v = verifyOcspResponse(res.body, { issuer, serial, now, nonce });
      if (!v.ok) {
        result = v.failure.kind;
        breaker.failure(now.getTime());
        const why = v.failure.kind === 'error_status' ? `responder ${url} answered ${v.failure.status}` : `invalid response from ${url}: ${v.failure.why}`;
        return { kind: 'unavailable', url, breakerOpen: false, why };
      }
      result = 'answer';
      breaker.success();
      return { kind: 'answer', answer: v.answer, url };
    } catch (e) {
      if (!(e instanceof HttpFetchError)) throw e;
      breaker.failure(now.getTime());
      return { kind: 'unavailable', url, breakerOpen: false, why: e.message };
    } finally {
      this.opts.observe?.((performance.now() - started) / 1000, result);
    }
  }

  private breaker(url: string): CircuitBreaker {
    let b = this.breakers.get(url);
    if (!b) {
      if (this.breakers.size >= MAX_RESPONDERS) this.breakers.delete(this.breakers.keys().next().value!);
      b = new CircuitBreaker(this.opts.breaker ?? DEFAULT_BREAKER);
      this.breakers.set(url, b);
    }
    return b;
  }
}

// Fetches one CRL over HTTP: at the latest every refreshSeconds, earlier when the CRL in force
// nears its nextUpdate, with conditional requests (If-None-Match / If-Modified-Since) so an
// unchanged CRL costs a 304. A failed fetch keeps the CRL in force and retries with a back-off.
import { type HttpFetch, HttpFetchError, httpFetch } from './http-fetch.js';

/** CRLs of a large CA run to megabytes; more than this is refused. */
export const MAX_CRL_BYTES = 64 << 20;
const MIN_DELAY_MS = 5_000;

export type FetchDelivery = { ok: true; bytes: Buffer; accept: () => boolean } | { ok: false; why: string };

/**
 * When to fetch next, pure: on failures a doubling back-off from 5 s (capped at refreshSeconds);
 * otherwise refreshSeconds, brought forward to a minute before nextUpdate, and every 30 s (still
 * capped at refreshSeconds) once nextUpdate has passed and the publisher has nothing newer yet.
 */
export function nextFetchDelayMs(now: number, refreshSeconds: number, nextUpdate: Date | null, failures: number): number {
  const cap = refreshSeconds * 1000;
  if (failures > 0) return Math.max(MIN_DELAY_MS, Math.min(cap, MIN_DELAY_MS * 2 ** (failures - 1)));
  if (nextUpdate === null) return cap;
  const until = nextUpdate.getTime() - now;
  if (until <= 0) return Math.max(MIN_DELAY_MS, Math.min(cap, 30_000));
  return Math.max(MIN_DELAY_MS, Math.min(cap, until - 60_000));
}

export class CrlFetcher {
  private etag: string | undefined;
  private lastModified: string | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    readonly url: string,
    private readonly refreshSeconds: number,
    private readonly timeoutMs: number,
    /** Hands the body over; `accept()` answers whether it is now in force or unchanged. */
    private readonly deliver: (d: FetchDelivery) => void,
    /** nextUpdate of the CRL in force for this source (schedules the next fetch). */
    private readonly nextUpdate: () => Date | null,
    private readonly fetch: HttpFetch = httpFetch,
  ) {}

  /** One fetch now; resolves when its outcome has been delivered. */
  async fetchNow(): Promise<void> {
    const headers: Record<string, string> = { accept: 'application/pkix-crl, application/x-pkcs7-crl, */*' };
    if (this.etag) headers['if-none-match'] = this.etag;
    if (this.lastModified) headers['if-modified-since'] = this.lastModified;
    try {
      const res = await this.fetch({ url: this.url, method: 'GET', headers, timeoutMs: Math.max(this.timeoutMs, 10_000), maxBytes: MAX_CRL_BYTES });
      if (res.status === 304) {
        this.failures = 0;
        return;
      }
      if (res.status !== 200) {
        this.failures++;
        this.deliver({ ok: false, why: `${this.url} answered HTTP ${res.status}` });
        return;
      }
      let accepted = false;
      this.deliver({ ok: true, bytes: res.body, accept: () => (accepted = true) });
      if (accepted) {
        this.failures = 0;
        this.etag = res.headers.get('etag') ?? undefined;
        this.lastModified = res.headers.get('last-modified') ?? undefined;
      } else {
        this.failures++;
        this.etag = undefined;
        this.lastModified = undefined;
      }
    } catch (e) {
      if (!(e instanceof HttpFetchError)) throw e;
      this.failures++;
      this.deliver({ ok: false, why: e.message });
    }
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = nextFetchDelayMs(Date.now(), this.refreshSeconds, this.nextUpdate(), this.failures);
    this.timer = setTimeout(() => {
      void this.fetchNow().finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }
}

import tls from 'node:tls';
import { LRUCache } from 'lru-cache';
import { offersTls13 } from './client-hello.js';

/** Sessions per thread: a TLS 1.2 session is ~1-2 KB, so at most ~40 MB each. */
export const SESSION_CACHE_MAX = 20_000;

/**
 * TLS 1.2 session-ID resumption. Supplicants such as wpa_supplicant turn session tickets off for
 * EAP-TLS, so stateless tickets alone do not resume them: OpenSSL needs a server-side cache, which
 * node:tls only consults through a tls.Server's newSession/resumeSession events. This server never
 * listens; it only carries those events for the TLSSockets given it. The callbacks are
 * synchronous, so a handshake never waits on them. Bounded in count and by the session lifetime.
 */
export class SessionCache {
  readonly server: tls.Server;
  private readonly cache: LRUCache<string, Buffer>;

  constructor(max: number, lifetimeSeconds: number, onNew?: (id: string) => void) {
    this.cache = new LRUCache<string, Buffer>({ max, ttl: lifetimeSeconds * 1000 });
    this.server = new tls.Server();
    this.server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      const key = id.toString('hex');
      this.cache.set(key, data);
      onNew?.(key);
      done();
    });
    this.server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data?: Buffer) => void) => {
      cb(null, this.cache.get(id.toString('hex')));
    });
  }

  get size(): number {
    return this.cache.size;
  }
}

/**
 * The cache a new handshake should use, from its ClientHello. A TLS 1.3 peer resumes with tickets
 * only; given the cache, node:tls would run its ClientHello callback on every handshake and OpenSSL
 * would report each 1.3 ticket as a new session (two per login) that nothing ever looks up.
 */
export const sessionsFor = (clientHello: Buffer, cache: SessionCache | undefined): tls.Server | undefined =>
  cache && offersTls13(clientHello) !== true ? cache.server : undefined;

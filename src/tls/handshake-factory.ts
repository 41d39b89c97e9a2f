// Which TLS implementation takes a new conversation, on whichever thread it runs. TLS 1.3
// ClientHellos that certgate's own server handles (tls13/: every supplicant seen so far) go there;
// everything else (TLS 1.2, HelloRetryRequest, 0-RTT offers, post-quantum key shares on OpenSSL
// 3.5+) goes to OpenSSL through node:tls, as does everything when tls.tls13Server is "openssl".
import type tls from 'node:tls';
import { type TlsSettings, makeServerContext } from './context.js';
import { type TlsHandshake, TlsEngine } from './engine.js';
import { type SessionCache, sessionsFor } from './session-cache.js';
import { type Fallback, Tls13Context, type Tls13Plan } from './tls13/context.js';
import { Tls13Server } from './tls13/server.js';

export type Engine = 'certgate' | 'openssl';

export type Route = { engine: 'certgate'; plan: Tls13Plan } | { engine: 'openssl'; why: Fallback | 'configured' };

/** A route as metrics count it: which server, and why (tls13, or why OpenSSL took it). */
export interface RouteLabel {
  server: Engine;
  why: Fallback | 'configured' | 'tls13';
}

export const routeLabel = (r: Route): RouteLabel => (r.engine === 'certgate' ? { server: 'certgate', why: 'tls13' } : { server: 'openssl', why: r.why });

export class HandshakeFactory {
  readonly context: tls.SecureContext;
  private readonly tls13: Tls13Context | undefined;

  /** Reads the key files: a bad one throws here, at start or reload, never during a login. */
  constructor(
    settings: TlsSettings,
    ticketKeys: Buffer,
    private readonly sessions: SessionCache | undefined,
    now: () => number = Date.now,
  ) {
    this.context = makeServerContext(settings, ticketKeys);
    this.tls13 = (settings.tls13Server ?? 'certgate') === 'certgate' ? new Tls13Context(settings, ticketKeys, now) : undefined;
  }

  /** `records`: the peer's first TLS message. */
  route(records: Buffer): Route {
    if (!this.tls13) return { engine: 'openssl', why: 'configured' };
    const plan = this.tls13.plan(records);
    return typeof plan === 'string' ? { engine: 'openssl', why: plan } : { engine: 'certgate', plan };
  }

  /** `route`: what route() said of these records (it is also what the metrics count). */
  open(records: Buffer, route: Route): TlsHandshake {
    if (route.engine === 'certgate') return new Tls13Server(this.tls13!, route.plan);
    return new TlsEngine(this.context, sessionsFor(records, this.sessions));
  }

  /** Client keys cached by the TLS 1.3 server on this thread (for metrics). */
  get peerKeysCached(): number {
    return this.tls13?.peerKeysCached ?? 0;
  }
}

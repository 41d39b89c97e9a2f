// The proxy part of the configuration, as loaded and validated by config/load.ts (docs/eduroam.md).
import type { Endpoint } from '../config/endpoint.js';

export interface RadsecConfig {
  /** PEM files; paths are absolute after loading. */
  certificate: string;
  privateKey: string;
  ca: string;
  /** When set, the server certificate must name this host (and SNI carries it). */
  serverName: string | undefined;
}

export interface ProxyServerConfig {
  address: Endpoint;
  /** RADIUS over TLS (RFC 6614) instead of UDP; the secret is then "radsec". */
  radsec: RadsecConfig | undefined;
}

export interface ProxyRealmConfig {
  /** Lowercase realm, or "*" for every realm without a route of its own. */
  realm: string;
  servers: ProxyServerConfig[];
  /** Shared secret of the UDP servers; undefined when every server is RadSec. */
  secret: Buffer | undefined;
}

export interface ProxyConfig {
  realms: ProxyRealmConfig[];
  /** UDP: wait this long for an answer before a retransmission. */
  timeoutMs: number;
  /** UDP: transmissions per server (the first included) before the next server is tried. */
  tries: number;
  /** RadSec: wait this long for an answer (no retransmission over TLS). */
  radsecTimeoutMs: number;
  /** A dead server gets a Status-Server probe this often. */
  probeIntervalSeconds: number;
  /** Requests being proxied at once; more are dropped and counted (result "overload"). */
  maxOutstanding: number;
  /** Sockets (or TLS connections) per server, 256 outstanding identifiers each. */
  socketsPerServer: number;
  /** Proxied conversations remembered by State (bounded, oldest evicted). */
  maxConversations: number;
  conversationIdleSeconds: number;
}

export const DEFAULT_PROXY: ProxyConfig = {
  realms: [],
  timeoutMs: 2000,
  tries: 2,
  radsecTimeoutMs: 5000,
  probeIntervalSeconds: 10,
  maxOutstanding: 2048,
  socketsPerServer: 4,
  maxConversations: 20_000,
  conversationIdleSeconds: 60,
};

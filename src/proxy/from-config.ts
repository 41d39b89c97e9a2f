// Builds the proxy from its configuration: one UpstreamServer per configured server (shared when
// several realm routes name the same server with the same secret), a pool per realm route, the
// forwarder, and the metrics that mirror its tables.
import type { Logger } from '../obs/log.js';
import { type Metrics, onScrape } from '../obs/metrics.js';
import { formatEndpoint } from '../config/endpoint.js';
import { ProxyForwarder, type ProxyEvents } from './proxy-forwarder.js';
import type { ProxyConfig, ProxyServerConfig } from './proxy-config.js';
import { RADSEC_SECRET, loadRadsecCredentials, radsecChannel } from './radsec-channel.js';
import { udpChannel } from './udp-channel.js';
import { UpstreamPool } from './upstream-pool.js';
import { UpstreamServer } from './upstream-server.js';

export function serverLabel(s: ProxyServerConfig): string {
  return `${s.radsec ? 'radsec:' : ''}${formatEndpoint(s.address)}`;
}

export function proxyFromConfig(
  cfg: ProxyConfig,
  localRealms: () => readonly string[],
  metrics: Metrics,
  events: ProxyEvents,
  log: Logger,
  clock: () => number = Date.now,
): ProxyForwarder {
  const servers = new Map<string, UpstreamServer>();
  const observer = {
    dropped: (server: string, reason: string) => metrics.proxyUpstreamDropped.inc({ server, reason }),
    state: (server: string, up: boolean) => {
      metrics.proxyServerUp.set({ server }, up ? 1 : 0);
      log.warn({ event: 'proxy_server', server, up }, `upstream ${server} is ${up ? 'alive again' : 'dead: probing with Status-Server'}`);
    },
  };
  const pools = cfg.realms.map((realm) => {
    const members = realm.servers.map((s) => {
      const name = serverLabel(s);
      const secret = s.radsec ? RADSEC_SECRET : realm.secret!;
      const key = `${name}|${secret.toString('hex')}`;
      let server = servers.get(key);
      if (!server) {
        server = new UpstreamServer({
          name,
          secret,
          channel: s.radsec ? radsecChannel(s.address, loadRadsecCredentials(s.radsec)) : udpChannel(s.address, (err) => log.warn({ err, server: name }, 'upstream socket error')),
          timeoutMs: s.radsec ? cfg.radsecTimeoutMs : cfg.timeoutMs,
          tries: cfg.tries,
          maxChannels: cfg.socketsPerServer,
          probeIntervalMs: cfg.probeIntervalSeconds * 1000,
          clock,
          observer,
        });
        servers.set(key, server);
        metrics.proxyServerUp.set({ server: name }, 1);
      }
      return server;
    });
    return new UpstreamPool(realm.realm, members);
  });
  const forwarder = new ProxyForwarder(cfg, localRealms, pools, metrics, events);
  onScrape(metrics.registry, () => {
    metrics.proxyOutstanding.set(forwarder.outstanding);
    metrics.proxyConversations.set(forwarder.conversations.size);
    for (const s of servers.values()) metrics.proxyServerUp.set({ server: s.name }, s.up ? 1 : 0);
  });
  return forwarder;
}

// Configuration of the eduroam parts (docs/eduroam.md): `proxy:` (realm routing to upstream
// servers, UDP or RadSec), `accounting:` and `fticks:`. Built from load.ts's field schemas (passed
// in, to keep the import graph one-way) and checked against identity.realms after parsing.
import type { FticksConfig } from '../eduroam/f-ticks.js';
import { DEFAULT_PROXY, type ProxyConfig, type ProxyRealmConfig, type ProxyServerConfig } from '../proxy/proxy-config.js';
import type { Endpoint } from './endpoint.js';
import { type Ctx, type Schema, bool, int, list, obj, oneOf, opt, str } from './schema.js';

export interface EduroamFieldSchemas {
  path: (mustExist: boolean) => Schema<string>;
  endpoint: Schema<Endpoint>;
}

export type ReadSecret = (src: { value?: string | undefined; file?: string | undefined; env?: string | undefined }, path: string, ctx: Ctx, required: boolean) => string | undefined;

const PROXY_REALM = /^(\*|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/;

export function eduroamSchemas(f: EduroamFieldSchemas) {
  const radsec = obj({ certificate: f.path(true), privateKey: f.path(true), ca: f.path(true), serverName: opt(str()) });
  const serverObj = obj({ address: f.endpoint, radsec: opt(radsec) });
  // A server is "host:port" (UDP) or { address, radsec: {...} } (RADIUS over TLS).
  const server: Schema<ProxyServerConfig> = (v, p, ctx) => {
    if (typeof v === 'string') {
      const address = f.endpoint(v, p, ctx);
      return address && { address, radsec: undefined };
    }
    const s = serverObj(v, p, ctx);
    return s && { address: s.address, radsec: s.radsec ? { ...s.radsec, serverName: s.radsec.serverName } : undefined };
  };
  const proxyRealm = obj({
    realm: str({ pattern: PROXY_REALM, hint: 'a realm such as example.ac.jp, or "*" for every other realm' }),
    servers: list(server, { min: 1, max: 16 }),
    secret: opt(str()),
    secretFile: opt(f.path(true)),
    secretEnv: opt(str()),
  });
  const d = DEFAULT_PROXY;
  return {
    proxy: opt(
      obj({
        realms: opt(list(proxyRealm), []),
        timeoutMs: opt(int(100, 60_000), d.timeoutMs),
        tries: opt(int(1, 10), d.tries),
        radsecTimeoutMs: opt(int(100, 120_000), d.radsecTimeoutMs),
        probeIntervalSeconds: opt(int(1, 3600), d.probeIntervalSeconds),
        maxOutstanding: opt(int(1, 1_000_000), d.maxOutstanding),
        socketsPerServer: opt(int(1, 64), d.socketsPerServer),
        maxConversations: opt(int(1, 10_000_000), d.maxConversations),
        conversationIdleSeconds: opt(int(1, 3600), d.conversationIdleSeconds),
      }),
      {},
    ),
    accounting: opt(obj({ log: opt(f.path(false)) }), {}),
    fticks: opt(
      obj({
        enabled: opt(bool, false),
        visCountry: opt(str({ pattern: /^[A-Z]{2}$/, hint: 'a two-letter country code such as JP' })),
        visInst: opt(str({ pattern: /^[^#\s]+$/, hint: 'an institution name without spaces or #, e.g. 1jaist.ac.jp' })),
        csi: opt(oneOf('hashed', 'vendor-hashed', 'original', 'static'), 'hashed'),
        file: opt(f.path(false)),
      }),
      {},
    ),
  };
}

type Parsed = ReturnType<typeof eduroamSchemas>;
type RawProxy = NonNullable<ReturnType<Parsed['proxy']['schema']>>;
type RawFticks = NonNullable<ReturnType<Parsed['fticks']['schema']>>;

const within = (realm: string, realms: string[]) => realms.some((r) => realm === r || realm.endsWith(`.${r}`));

/** Secrets resolved, realm routes checked against each other and against our own realms. */
export function finishProxy(raw: RawProxy, localRealms: string[], ctx: Ctx, readSecret: ReadSecret): ProxyConfig | undefined {
  const realms: ProxyRealmConfig[] = [];
  const seen = new Set<string>();
  for (const [i, r] of (raw.realms ?? []).entries()) {
    const p = `proxy.realms[${i}]`;
    const realm = r.realm.toLowerCase();
    if (seen.has(realm)) ctx.fail(`${p}.realm`, `realm ${JSON.stringify(realm)} is routed twice`);
    seen.add(realm);
    if (realm !== '*' && within(realm, localRealms)) ctx.fail(`${p}.realm`, `${JSON.stringify(realm)} is one of identity.realms (or below one): it is decided here, never proxied`);
    const udp = r.servers.some((s) => !s.radsec);
    const secret = readSecret({ value: r.secret, file: r.secretFile, env: r.secretEnv }, `${p}.secret`, ctx, udp);
    if (!udp && secret !== undefined) ctx.warnings.push(`${p}.secret is not used: RadSec servers use the secret "radsec" (RFC 6614)`);
    realms.push({ realm, servers: r.servers, secret: udp && secret !== undefined ? Buffer.from(secret, 'utf8') : undefined });
  }
  return { ...(raw as Omit<ProxyConfig, 'realms'>), realms };
}

export function finishFticks(raw: RawFticks, localRealms: string[], ctx: Ctx): FticksConfig {
  if (raw.enabled && raw.visCountry === undefined) ctx.fail('fticks.visCountry', 'is required when fticks.enabled is true (e.g. JP)');
  return {
    enabled: raw.enabled ?? false,
    visCountry: raw.visCountry ?? '',
    visInst: raw.visInst ?? `1${localRealms[0] ?? ''}`,
    csi: raw.csi ?? 'hashed',
    file: raw.file,
  };
}

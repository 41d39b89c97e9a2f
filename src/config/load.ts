import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { parseDocument } from 'yaml';
import { Ctx, type Schema, bool, int, list, obj, oneOf, opt, refine, str } from './schema.js';
import { type Endpoint, parseEndpoint } from './endpoint.js';
import { type StoreConfig, postgresUrlProblem } from './store-config.js';
import { eduroamSchemas, finishFticks, finishProxy } from './eduroam.js';
import type { ProxyConfig } from '../proxy/proxy-config.js';
import type { FticksConfig } from '../eduroam/f-ticks.js';
import type { RevocationConfig } from '../revocation/types.js';
import { revocationSchema } from './revocation.js';
import { type DisconnectConfig, type SessionsConfig, checkCoaAddress, clientCoaFields, finishPolicy, finishSessions, sessionsSchemas } from './sessions.js';
import type { PolicyRule } from '../policy/types.js';
import type { EapSettings } from '../eap/eap-server.js';
import type { PlacementMode } from '../tls/placement.js';

export interface Network {
  address: string;
  prefix: number;
  family: 4 | 6;
}

export interface ClientConfig {
  name: string;
  network: Network;
  secret: Buffer;
  /** BlastRADIUS: refuse Access-Requests without Message-Authenticator (on unless relaxed per client). */
  requireMessageAuthenticator: boolean;
  /** FreeRADIUS limit_proxy_state: without a required MA, still refuse a request with Proxy-State and no MA. */
  limitProxyState: boolean;
  /** RFC 5176 Disconnect-Requests for this client's sessions go to this UDP port; none without it. */
  coaPort?: number | undefined;
  /** ...at this address instead of the one its accounting comes from. */
  coaAddress?: string | undefined;
}

/** Failed-login pacing per Calling-Station-Id (docs/hardening.md). */
export interface PacingConfig {
  enabled: boolean;
  freeRejects: number;
  rejectDelayMs: number;
  maxRejectDelayMs: number;
  refuseAfter: number;
  refuseSeconds: number;
  windowSeconds: number;
  maxStations: number;
  maxDelayed: number;
}

export interface Config {
  file: string;
  /** Things worth telling the operator at start (e.g. a world-readable secret file). */
  warnings: string[];
  radius: {
    listen: Endpoint[];
    clients: ClientConfig[];
    duplicateCacheSeconds: number;
    /** Requests being worked on at once; past it new logins are dropped first (reason overloaded). */
    maxPendingRequests: number;
    /** Accounting listeners (docs/eduroam.md): answered and recorded here, never forwarded. */
    accountingListen: Endpoint[];
  };
  pacing: PacingConfig;
  tls: {
    certificate: string;
    privateKey: string;
    trustAnchors: string[];
    minVersion: '1.2' | '1.3';
    /** Session resumption (stateless tickets, TLS 1.2 and 1.3); 0 turns it off. */
    sessionLifetimeSeconds: number;
    /** Shared ticket keys (48 bytes, raw/hex/base64) for several gateways; else random and rotated. */
    ticketKeyFile: string | undefined;
    ticketKeyRotationSeconds: number;
    /** Worker threads running OpenSSL handshakes; 0 = all in the main thread. */
    workers: number;
    /** adaptive: on the main thread while it has headroom, on workers as it fills; workers: always on workers. */
    placement: PlacementMode;
    /** TLS 1.3 handshakes: certgate's own server (src/tls/tls13/, docs/tls13-server.md) or OpenSSL (node:tls). */
    tls13Server: 'certgate' | 'openssl';
  };
  eap: EapSettings;
  /** cuiKey: from cuiKey / cuiKeyFile / cuiKeyEnv; undefined = a generated key kept on disk (docs/eduroam.md). */
  identity: { realms: string[]; cuiKey: Buffer | undefined };
  proxy: ProxyConfig;
  accounting: { log: string | undefined };
  fticks: FticksConfig;
  /** Authorization policy: the first matching rule decides the Accept's reply (docs/policy-and-sessions.md). */
  policy: PolicyRule[];
  sessions: SessionsConfig;
  disconnect: DisconnectConfig;
  store: StoreConfig;
  /** The OCSP responder at /ocsp on the http listener; off when absent. */
  ocspResponder: { certificate: string; privateKey: string; validitySeconds: number } | undefined;
  /** CRLs and OCSP beyond the store (docs/revocation.md); absent = the store alone decides. */
  revocation: RevocationConfig | undefined;
  http: {
    listen: Endpoint | undefined;
    /** Bearer token for the admin API; the API is off without one. */
    adminToken: Buffer | undefined;
    /** Bearer token for POST /v1/verify only (the admin token works there too). */
    verifyToken: Buffer | undefined;
    tls: { certificate: string; privateKey: string } | undefined;
  };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(`invalid configuration in ${file}:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const endpoint: Schema<Endpoint> = refine<string, Endpoint>(str(), (s) => {
  const e = parseEndpoint(s);
  return typeof e === 'string' ? { error: e } : e;
});

const network: Schema<Network> = refine<string, Network>(str(), (s) => {
  const [address = '', bits] = s.split('/');
  const family = isIP(address);
  if (family === 0) return { error: `${JSON.stringify(s)} is not an address or CIDR network` };
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) {
    return { error: `prefix length in ${JSON.stringify(s)} must be 0..${max}` };
  }
  return { address, prefix, family: family as 4 | 6 };
});

/** A path in the config is relative to the config file's folder. */
const path = (mustExist: boolean): Schema<string> => (v, p, ctx) => {
  const s = str()(v, p, ctx);
  if (s === undefined) return undefined;
  const abs = isAbsolute(s) ? s : resolve(ctx.baseDir, s);
  if (mustExist) {
    try {
      statSync(abs);
    } catch {
      return ctx.fail(p, `file ${abs} does not exist or cannot be read`);
    }
  }
  return abs;
};

const realm = refine(str({ pattern: /^[A-Za-z0-9.-]+$/, hint: 'a realm such as jaist.ac.jp' }), (s) => s.toLowerCase());

const rawClient = obj({
  name: str({ pattern: /^[A-Za-z0-9_.:-]+$/, hint: 'a name of letters, digits and _.:-' }),
  network,
  secret: opt(str()),
  secretFile: opt(path(true)),
  secretEnv: opt(str()),
  requireMessageAuthenticator: opt(bool, true),
  limitProxyState: opt(bool, true),
  ...clientCoaFields,
});

const client: Schema<ClientConfig> = (v, p, ctx) => {
  const c = rawClient(v, p, ctx);
  if (!c) return undefined;
  const secret = readSecret({ value: c.secret, file: c.secretFile, env: c.secretEnv }, `${p}.secret`, ctx, true);
  if (secret === undefined) return undefined;
  if (!c.requireMessageAuthenticator && !c.limitProxyState) {
    ctx.warnings.push(`${p} (${c.name}): requireMessageAuthenticator and limitProxyState both off: open to BlastRADIUS (CVE-2024-3596)`);
  }
  const coaAddress = checkCoaAddress(c.coaAddress, `${p}.coaAddress`, ctx);
  return { name: c.name, network: c.network, secret: Buffer.from(secret, 'utf8'), requireMessageAuthenticator: c.requireMessageAuthenticator!, limitProxyState: c.limitProxyState!, coaPort: c.coaPort, coaAddress };
};

const eduroam = eduroamSchemas({ path, endpoint });

const schema = obj({
  radius: obj({
    listen: list(endpoint, { min: 1 }),
    clients: list(client, { min: 1 }),
    duplicateCacheSeconds: opt(int(5, 30), 10),
    maxPendingRequests: opt(int(16, 1_000_000), 4096),
    accountingListen: opt(list(endpoint), []),
  }),
  pacing: opt(
    obj({
      enabled: opt(bool, true),
      freeRejects: opt(int(0, 1000), 3),
      rejectDelayMs: opt(int(0, 10_000), 1000),
      maxRejectDelayMs: opt(int(0, 10_000), 4000),
      refuseAfter: opt(int(1, 10_000), 10),
      refuseSeconds: opt(int(1, 86_400), 300),
      windowSeconds: opt(int(1, 86_400), 600),
      maxStations: opt(int(1, 10_000_000), 100_000),
      maxDelayed: opt(int(0, 100_000), 1000),
    }),
    {},
  ),
  tls: obj({
    certificate: path(true),
    privateKey: path(true),
    trustAnchors: list(path(true), { min: 1 }),
    minVersion: opt(oneOf('1.2', '1.3'), '1.2'),
    sessionLifetimeSeconds: opt(int(0, 7 * 86400), 3600),
    ticketKeyFile: opt(path(true)),
    ticketKeyRotationSeconds: opt(int(60, 30 * 86400), 86400),
    workers: opt(int(0, 64), availableParallelism()),
    placement: opt(oneOf('adaptive', 'workers'), 'adaptive'),
    tls13Server: opt(oneOf('certgate', 'openssl'), 'certgate'),
  }),
  eap: opt(
    obj({
      fragmentSize: opt(int(64, 4000), 1024),
      maxMessageBytes: opt(int(4096, 1 << 20), 64 * 1024),
      maxRounds: opt(int(4, 200), 50),
      idleTimeoutSeconds: opt(int(1, 600), 30),
      maxConversations: opt(int(1, 1_000_000), 20_000),
      // A NAS (or a controller for many APs) may take half the table; one device a few retries.
      maxConversationsPerClient: opt(int(1, 1_000_000), 10_000),
      maxConversationsPerStation: opt(int(1, 1000), 4),
      // Conversations past the first TLS message hold an OpenSSL handshake (~60 KB, docs/BENCHMARKS.md).
      maxHandshakes: opt(int(1, 1_000_000), 2000),
    }),
    {},
  ),
  identity: obj({ realms: list(realm, { min: 1 }), cuiKey: opt(str()), cuiKeyFile: opt(path(true)), cuiKeyEnv: opt(str()) }),
  ...eduroam,
  ...sessionsSchemas({ path }),
  store: obj({ path: opt(path(false)), url: opt(str()), password: opt(str()), passwordFile: opt(path(true)), passwordEnv: opt(str()) }),
  ocspResponder: opt(obj({ certificate: path(true), privateKey: path(true), validitySeconds: opt(int(60, 7 * 86_400), 3600) })),
  revocation: opt(revocationSchema(path)),
  http: opt(
    obj({
      listen: opt(endpoint),
      adminToken: opt(str()),
      adminTokenFile: opt(path(true)),
      adminTokenEnv: opt(str()),
      verifyToken: opt(str()),
      verifyTokenFile: opt(path(true)),
      verifyTokenEnv: opt(str()),
      tls: opt(obj({ certificate: path(true), privateKey: path(true) })),
    }),
    {},
  ),
  log: opt(obj({ level: opt(oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), 'info') }), {}),
});

/**
 * A secret given inline, in a file (trailing newline dropped) or in an environment variable:
 * exactly one of them. A secret file others can read gets a warning, not a refusal.
 */
function readSecret(src: { value?: string | undefined; file?: string | undefined; env?: string | undefined }, path: string, ctx: Ctx, required: boolean): string | undefined {
  const given = [src.value, src.file, src.env].filter((x) => x !== undefined).length;
  const base = path.replace(/\.[A-Za-z]+$/, '');
  const key = path.slice(base.length + 1);
  const names = `${key}, ${key}File or ${key}Env`;
  if (given > 1 || (required && given === 0)) return ctx.fail(base, `needs exactly one of ${names}`);
  if (src.file !== undefined) {
    if ((statSync(src.file).mode & 0o004) !== 0) ctx.warnings.push(`${src.file} (${path}File) is readable by every user: chmod 600 it`);
    const v = readFileSync(src.file, 'utf8').replace(/\r?\n$/, '');
    return v.length === 0 ? ctx.fail(`${path}File`, `${src.file} is empty`) : v;
  }
  if (src.env !== undefined) {
    const v = process.env[src.env];
    return v ? v : ctx.fail(`${path}Env`, `environment variable ${src.env} is not set or empty`);
  }
  return src.value;
}

/** `store:` is either { path } (SQLite) or { url } (PostgreSQL, password optionally apart). */
function storeConfig(s: { path?: string | undefined; url?: string | undefined; password?: string | undefined; passwordFile?: string | undefined; passwordEnv?: string | undefined }, ctx: Ctx): StoreConfig | undefined {
  if ((s.path === undefined) === (s.url === undefined)) return ctx.fail('store', 'needs exactly one of path (SQLite) or url (PostgreSQL, postgres://…)');
  if (s.path !== undefined) {
    if (s.password !== undefined || s.passwordFile !== undefined || s.passwordEnv !== undefined) return ctx.fail('store.password', 'only with store.url (PostgreSQL)');
    return { kind: 'sqlite', path: s.path };
  }
  const problem = postgresUrlProblem(s.url!);
  if (problem !== null) return ctx.fail('store.url', problem);
  const password = readSecret({ value: s.password, file: s.passwordFile, env: s.passwordEnv }, 'store.password', ctx, false);
  return { kind: 'postgres', url: s.url!, password };
}

/** Reads, parses and validates one YAML file; throws ConfigError naming the file and every bad key. */
export function loadConfig(file: string): Config {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError(abs, [{ path: '(file)', message: (e as Error).message }]);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(abs, doc.errors.map((e) => ({ path: `(yaml line ${e.linePos?.[0].line ?? '?'})`, message: e.message.split('\n')[0]! })));
  }
  const ctx = new Ctx(dirname(abs));
  const parsed = schema(doc.toJS(), '', ctx);
  if (!parsed || ctx.problems.length > 0) throw new ConfigError(abs, ctx.problems);
  const names = new Set<string>();
  for (const [i, c] of parsed.radius.clients.entries()) {
    if (names.has(c.name)) ctx.fail(`radius.clients[${i}].name`, `duplicate client name ${JSON.stringify(c.name)}`);
    names.add(c.name);
  }
  const h = parsed.http!;
  const adminToken = readSecret({ value: h.adminToken, file: h.adminTokenFile, env: h.adminTokenEnv }, 'http.adminToken', ctx, false);
  if (adminToken !== undefined && adminToken.length < 16) ctx.fail('http.adminToken', 'must be at least 16 characters');
  const verifyToken = readSecret({ value: h.verifyToken, file: h.verifyTokenFile, env: h.verifyTokenEnv }, 'http.verifyToken', ctx, false);
  if (verifyToken !== undefined && verifyToken.length < 16) ctx.fail('http.verifyToken', 'must be at least 16 characters');
  const store = storeConfig(parsed.store, ctx);
  const id = parsed.identity;
  const cuiKey = readSecret({ value: id.cuiKey, file: id.cuiKeyFile, env: id.cuiKeyEnv }, 'identity.cuiKey', ctx, false);
  if (cuiKey !== undefined && cuiKey.length < 16) ctx.fail('identity.cuiKey', 'must be at least 16 characters');
  const proxy = finishProxy(parsed.proxy!, id.realms, ctx, readSecret);
  const fticks = finishFticks(parsed.fticks!, id.realms, ctx);
  const policy = finishPolicy(parsed.policy!, parsed.radius.clients.map((c) => c.name), ctx);
  const sessions = finishSessions(parsed.sessions!, store, dirname(abs), ctx, readSecret);
  if (h.listen && !h.tls && !/^(127\.|::1$)/.test(h.listen.host)) {
    ctx.warnings.push(`http.listen ${h.listen.host} is not loopback and http.tls is not set: the admin token and pages would cross the network in clear`);
  }
  if (ctx.problems.length > 0) throw new ConfigError(abs, ctx.problems);
  return {
    warnings: ctx.warnings,
    file: abs,
    radius: parsed.radius as Config['radius'],
    pacing: parsed.pacing as PacingConfig,
    tls: parsed.tls as Config['tls'],
    eap: parsed.eap as Config['eap'],
    identity: { realms: id.realms, cuiKey: cuiKey === undefined ? undefined : Buffer.from(cuiKey, 'utf8') },
    proxy: proxy!,
    accounting: { log: parsed.accounting!.log },
    fticks,
    policy,
    sessions,
    disconnect: parsed.disconnect as DisconnectConfig,
    store: store!,
    ocspResponder: parsed.ocspResponder as Config['ocspResponder'],
    revocation: parsed.revocation,
    http: {
      listen: parsed.http!.listen,
      adminToken: adminToken === undefined ? undefined : Buffer.from(adminToken),
      verifyToken: verifyToken === undefined ? undefined : Buffer.from(verifyToken),
      tls: parsed.http!.tls,
    },
    log: { level: parsed.log!.level! },
  };
}

import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isIP } from 'node:net';
import { parseDocument } from 'yaml';
import { Ctx, type Schema, bool, int, list, obj, oneOf, opt, refine, str } from './schema.js';
import { type Endpoint, parseEndpoint } from './endpoint.js';

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
}

export interface Config {
  file: string;
  radius: {
    listen: Endpoint[];
    clients: ClientConfig[];
    duplicateCacheSeconds: number;
  };
  tls: {
    certificate: string;
    privateKey: string;
    trustAnchors: string[];
    minVersion: '1.2' | '1.3';
  };
  eap: {
    fragmentSize: number;
    maxMessageBytes: number;
    maxRounds: number;
    idleTimeoutSeconds: number;
    maxConversations: number;
  };
  identity: { realms: string[] };
  store: { path: string };
  http: { listen: Endpoint | undefined };
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
  requireMessageAuthenticator: opt(bool, true),
});

const client: Schema<ClientConfig> = (v, p, ctx) => {
  const c = rawClient(v, p, ctx);
  if (!c) return undefined;
  if ((c.secret === undefined) === (c.secretFile === undefined)) {
    return ctx.fail(p, 'needs exactly one of secret or secretFile');
  }
  let secret: string;
  if (c.secretFile !== undefined) {
    secret = readFileSync(c.secretFile, 'utf8').replace(/\r?\n$/, '');
    if (secret.length === 0) return ctx.fail(`${p}.secretFile`, `${c.secretFile} is empty`);
  } else {
    secret = c.secret!;
  }
  return { name: c.name, network: c.network, secret: Buffer.from(secret, 'utf8'), requireMessageAuthenticator: c.requireMessageAuthenticator! };
};

const schema = obj({
  radius: obj({
    listen: list(endpoint, { min: 1 }),
    clients: list(client, { min: 1 }),
    duplicateCacheSeconds: opt(int(5, 30), 10),
  }),
  tls: obj({
    certificate: path(true),
    privateKey: path(true),
    trustAnchors: list(path(true), { min: 1 }),
    minVersion: opt(oneOf('1.2', '1.3'), '1.2'),
  }),
  eap: opt(
    obj({
      fragmentSize: opt(int(64, 4000), 1024),
      maxMessageBytes: opt(int(4096, 1 << 20), 64 * 1024),
      maxRounds: opt(int(4, 200), 50),
      idleTimeoutSeconds: opt(int(1, 600), 30),
      maxConversations: opt(int(1, 1_000_000), 20_000),
    }),
    {},
  ),
  identity: obj({ realms: list(realm, { min: 1 }) }),
  store: obj({ path: path(false) }),
  http: opt(obj({ listen: opt(endpoint) }), {}),
  log: opt(obj({ level: opt(oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), 'info') }), {}),
});

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
  if (ctx.problems.length > 0) throw new ConfigError(abs, ctx.problems);
  return {
    file: abs,
    radius: parsed.radius as Config['radius'],
    tls: parsed.tls as Config['tls'],
    eap: parsed.eap as Config['eap'],
    identity: parsed.identity,
    store: parsed.store,
    http: { listen: parsed.http!.listen },
    log: { level: parsed.log!.level! },
  };
}

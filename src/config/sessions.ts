// Configuration of authorization policy, live sessions and RFC 5176 Disconnect
// (docs/policy-and-sessions.md): `policy:`, `sessions:`, `disconnect:`, and the per-client
// `coaPort` / `coaAddress`. Built from load.ts's field schemas (passed in, to keep the import graph
// one-way), like config/eduroam.ts.
import { basename, dirname, extname, join } from 'node:path';
import { isIP } from 'node:net';
import { checkPolicy, policySchema } from '../policy/config.js';
import type { PolicyRule } from '../policy/types.js';
import type { ReadSecret } from './eduroam.js';
import { type Ctx, type Schema, int, obj, opt, str } from './schema.js';
import type { StoreConfig } from './store-config.js';

export interface SessionsConfig {
  /** The SQLite file live sessions are kept in across restarts. */
  file: string;
  idleTimeoutSeconds: number;
  maxSessions: number;
  maxPerMember: number;
  /** Class token key material shared by several gateways; undefined: a random key kept in `file`. */
  classKey: Buffer | undefined;
}

export interface DisconnectConfig {
  attempts: number;
  timeoutMs: number;
  maxPending: number;
}

/** Per RADIUS client: where its Disconnect-Requests go (no coaPort: none are sent). */
export const clientCoaFields = {
  coaPort: opt(int(1, 65535)),
  coaAddress: opt(str({ pattern: /^[0-9A-Fa-f.:]+$/, hint: 'an IP address' })),
};

export function checkCoaAddress(address: string | undefined, path: string, ctx: Ctx): string | undefined {
  if (address === undefined) return undefined;
  return isIP(address) === 0 ? ctx.fail(path, `${JSON.stringify(address)} is not an IP address`) : address;
}

export function sessionsSchemas(f: { path: (mustExist: boolean) => Schema<string> }) {
  return {
    policy: opt(policySchema, []),
    sessions: opt(
      obj({
        file: opt(f.path(false)),
        // Longer than the NASes' interim-update interval (often 10 minutes), or live sessions expire.
        idleTimeoutSeconds: opt(int(60, 30 * 86_400), 3 * 3600),
        maxSessions: opt(int(1, 10_000_000), 100_000),
        maxPerMember: opt(int(1, 10_000), 32),
        classKey: opt(str()),
        classKeyFile: opt(f.path(true)),
        classKeyEnv: opt(str()),
      }),
      {},
    ),
    disconnect: opt(
      obj({
        attempts: opt(int(1, 10), 3),
        timeoutMs: opt(int(100, 30_000), 1000),
        maxPending: opt(int(1, 100_000), 1024),
      }),
      {},
    ),
  };
}

type RawSessions = {
  file?: string | undefined;
  idleTimeoutSeconds?: number | undefined;
  maxSessions?: number | undefined;
  maxPerMember?: number | undefined;
  classKey?: string | undefined;
  classKeyFile?: string | undefined;
  classKeyEnv?: string | undefined;
};

/** Defaults that depend on other keys: the file sits next to an SQLite store, else next to the config. */
export function finishSessions(s: RawSessions, store: StoreConfig | undefined, configDir: string, ctx: Ctx, readSecret: ReadSecret): SessionsConfig {
  const key = readSecret({ value: s.classKey, file: s.classKeyFile, env: s.classKeyEnv }, 'sessions.classKey', ctx, false);
  if (key !== undefined && Buffer.byteLength(key) < 16) ctx.fail('sessions.classKey', 'must be at least 16 characters');
  let file = s.file;
  if (file === undefined) {
    file = store?.kind === 'sqlite' ? join(dirname(store.path), `${basename(store.path, extname(store.path))}.sessions.db`) : join(configDir, 'certgate-sessions.db');
  }
  return {
    file,
    idleTimeoutSeconds: s.idleTimeoutSeconds!,
    maxSessions: s.maxSessions!,
    maxPerMember: s.maxPerMember!,
    classKey: key === undefined ? undefined : Buffer.from(key, 'utf8'),
  };
}

export function finishPolicy(rules: PolicyRule[], clientNames: readonly string[], ctx: Ctx): PolicyRule[] {
  checkPolicy(rules, clientNames, ctx);
  return rules;
}

// `policy:` in the configuration: validated at load, every problem named by its key.
//
//   policy:
//     - name: staff                       # optional, unique; shown in the decision log
//       match: { ou: staff }              # ou, realm, client, issuer, member: a glob or a list
//       reply: { vlan: "20", sessionTimeout: 28800 }
//     - match: { ou: [student, "guest*"] }
//       reply: { vlan: 10, class: student, filterId: students }
//     - match: { realm: "*" }
//       reply: { reject: true }
import { type Ctx, type Schema, bool, int, list, obj, opt, str } from '../config/schema.js';
import { compileGlobs } from './glob.js';
import { MATCH_KEYS, type PolicyMatch, type PolicyReply, type PolicyRule } from './types.js';

/** The prefix of certgate's own Class token (sessions/class-token.ts): a rule's class must not look like one. */
export const RESERVED_CLASS_PREFIX = 'cg1:';

const MAX_TEXT = 200;
const printable = (what: string) => str({ pattern: /^[\x20-\x7e\u00a0-\uffff]+$/u, hint: `${what} of printable characters` });

const glob = printable('a glob');
/** One glob or a non-empty list of them. */
const globs: Schema<string[]> = (v, p, ctx) => {
  if (!Array.isArray(v)) {
    const g = glob(v, p, ctx);
    return g === undefined ? undefined : [g];
  }
  return list(glob, { min: 1, max: 100 })(v, p, ctx);
};

const VLAN_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,31}$/;

/** A VLAN ID 1..4094 (number or digits) or a VLAN name (RFC 3580 allows either). */
const vlan: Schema<string> = (v, p, ctx) => {
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= 1 && v <= 4094 ? String(v) : ctx.fail(p, `VLAN ID must be 1..4094, got ${v}`);
  }
  if (typeof v !== 'string') return ctx.fail(p, `must be a VLAN ID (1..4094) or a VLAN name, got ${v === null ? 'null' : typeof v}`);
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return n >= 1 && n <= 4094 ? String(n) : ctx.fail(p, `VLAN ID must be 1..4094, got ${JSON.stringify(v)}`);
  }
  return VLAN_NAME.test(v) ? v : ctx.fail(p, `${JSON.stringify(v)} is neither a VLAN ID (1..4094) nor a VLAN name (a letter, then up to 31 letters, digits, ".", "_" or "-")`);
};

const text = (what: string): Schema<string> => (v, p, ctx) => {
  const s = printable(what)(v, p, ctx);
  if (s === undefined) return undefined;
  return Buffer.byteLength(s) > MAX_TEXT ? ctx.fail(p, `at most ${MAX_TEXT} bytes`) : s;
};

// Keep in step with MATCH_KEYS.
const matchSchema = obj({ ou: opt(globs), realm: opt(globs), client: opt(globs), issuer: opt(globs), member: opt(globs) });

const replySchema = obj({
  vlan: opt(vlan),
  // Session-Timeout is a 32-bit unsigned count of seconds; a day is typical, a year is plenty.
  sessionTimeout: opt(int(1, 366 * 86_400)),
  class: opt(text('a Class value')),
  filterId: opt(text('a Filter-Id')),
  reject: opt(bool),
});

const ruleSchema = obj({
  name: opt(str({ pattern: /^[A-Za-z0-9_.:-]{1,64}$/, hint: 'a name of up to 64 letters, digits and _.:-' })),
  match: opt(matchSchema, {}),
  reply: opt(replySchema, {}),
});

const rule: Schema<Omit<PolicyRule, 'index'>> = (v, p, ctx) => {
  const r = ruleSchema(v, p, ctx);
  if (!r) return undefined;
  const { reject, ...attrs } = r.reply!;
  const given = Object.entries(attrs).filter(([, x]) => x !== undefined).map(([k]) => k);
  if (reject === true && given.length > 0) {
    return ctx.fail(`${p}.reply`, `reject: true sends an Access-Reject, which carries no ${given.join(', ')}: remove ${given.length === 1 ? 'it' : 'them'} or the reject`);
  }
  if (attrs.class?.startsWith(RESERVED_CLASS_PREFIX)) {
    return ctx.fail(`${p}.reply.class`, `must not start with "${RESERVED_CLASS_PREFIX}": that prefix marks certgate's own session token`);
  }
  const match: PolicyMatch = {};
  for (const k of MATCH_KEYS) if (r.match![k] !== undefined) match[k] = r.match![k]!;
  const reply: PolicyReply = {};
  for (const k of ['vlan', 'sessionTimeout', 'class', 'filterId'] as const) if (attrs[k] !== undefined) (reply as Record<string, unknown>)[k] = attrs[k];
  return { name: r.name ?? null, match, reject: reject === true, reply };
};

export const policySchema: Schema<PolicyRule[]> = (v, p, ctx) => {
  const rules = list(rule, { max: 1000 })(v, p, ctx);
  return rules?.map((r, index) => ({ ...r, index }));
};

/**
 * Checks across rules and against the clients: duplicate names are errors; a rule after one that
 * matches everything, and a client glob that names no configured client, are warnings.
 */
export function checkPolicy(rules: readonly PolicyRule[], clientNames: readonly string[], ctx: Ctx): void {
  const names = new Map<string, number>();
  let catchAll: number | undefined;
  for (const r of rules) {
    const p = `policy[${r.index}]`;
    if (r.name !== null) {
      const first = names.get(r.name);
      if (first !== undefined) ctx.fail(`${p}.name`, `duplicate rule name ${JSON.stringify(r.name)} (also policy[${first}])`);
      else names.set(r.name, r.index);
    }
    if (catchAll !== undefined) ctx.warnings.push(`${p} is never reached: policy[${catchAll}] matches every login`);
    if (Object.keys(r.match).length === 0) catchAll ??= r.index;
    if (r.match.client) {
      const m = compileGlobs(r.match.client);
      if (!clientNames.some(m)) ctx.warnings.push(`${p}.match.client ${JSON.stringify(r.match.client)} names no configured RADIUS client`);
    }
  }
}

// Evaluating the authorization policy: pure functions of (decision, certificate facts, request
// facts). The decision pipeline (verify/decide.ts) says whether a certificate may log in at all;
// the policy runs only on its accepts and never turns a reject into an accept.
import { parseOuterIdentity } from '../verify/identity.js';
import { type Decision, reject } from '../verify/reasons.js';
import { type Matcher, compileGlobs } from './glob.js';
import { MATCH_KEYS, type PolicyFacts, type PolicyOutcome, type PolicyRule, type RuleRef } from './types.js';

type Test = (f: PolicyFacts) => boolean;

function test(key: (typeof MATCH_KEYS)[number], m: Matcher): Test {
  switch (key) {
    case 'ou':
      return (f) => f.ou.some(m);
    default:
      return (f) => {
        const v = f[key];
        return v !== null && m(v);
      };
  }
}

const NO_MATCH: PolicyOutcome = Object.freeze({ rule: null, reject: false, reply: Object.freeze({}) });

/** The `policy:` list compiled once (at start and on reload): globs become matchers. */
export class Policy {
  private readonly rules: { rule: PolicyRule; ref: RuleRef; tests: Test[] }[];

  constructor(rules: readonly PolicyRule[]) {
    this.rules = rules.map((rule) => ({
      rule,
      ref: { index: rule.index, name: rule.name },
      tests: MATCH_KEYS.filter((k) => rule.match[k] !== undefined).map((k) => test(k, compileGlobs(rule.match[k]!))),
    }));
  }

  get size(): number {
    return this.rules.length;
  }

  /** Some rule matches on this key (e.g. `certgate check` says when it lacks the fact). */
  uses(key: (typeof MATCH_KEYS)[number]): boolean {
    return this.rules.some((r) => r.rule.match[key] !== undefined);
  }

  /** First rule whose every match key holds (a rule without keys matches every login). */
  evaluate(facts: PolicyFacts): PolicyOutcome {
    for (const r of this.rules) {
      if (r.tests.every((t) => t(facts))) return { rule: r.ref, reject: r.rule.reject, reply: r.rule.reply };
    }
    return NO_MATCH;
  }
}

/** The request side of the facts: who logged in (outer identity) and through which NAS. */
export interface RequestFacts {
  outerIdentity: string | null;
  client: string | null;
}

/**
 * Facts for matching. realm is the outer identity's; without one (`certgate check` with no
 * --identity) the domain of the member's address stands in for it.
 */
export function policyFacts(decision: Decision, cert: { ou: readonly string[] } | undefined, request: RequestFacts): PolicyFacts {
  const realm = request.outerIdentity !== null ? parseOuterIdentity(request.outerIdentity).realm : (decision.member?.split('@')[1]?.toLowerCase() ?? null);
  return { member: decision.member, issuer: decision.issuer, ou: cert?.ou ?? [], realm, client: request.client };
}

/**
 * Runs the policy on a decision: a reject passes through untouched; an accept gets the matched
 * rule and its reply, or becomes a reject with reason `policy` when the rule says `reject: true`.
 */
export function applyPolicy(policy: Policy, decision: Decision, facts: PolicyFacts): Decision {
  if (decision.result !== 'accept') return decision;
  const o = policy.evaluate(facts);
  if (o.reject) {
    return {
      ...reject('policy', { member: decision.member, serial: decision.serial, issuer: decision.issuer, detail: `refused by policy rule ${describeRule(o.rule!)}` }),
      rule: o.rule,
    };
  }
  return { ...decision, rule: o.rule, reply: o.reply };
}

export const describeRule = (r: RuleRef | null | undefined): string => (r ? (r.name ? `${r.index} (${r.name})` : String(r.index)) : 'none');

// Authorization policy (docs/policy-and-sessions.md): an ordered list of rules; the first whose
// `match` holds decides the reply attributes of an Access-Accept, or turns it into a reject.
// Plain data: the config loader builds it, policy.ts evaluates it, attributes.ts encodes it.

/** Keys a rule can match on; each holds globs (`*`, `?`), any of which may match. */
export const MATCH_KEYS = ['ou', 'realm', 'client', 'issuer', 'member'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];
export type PolicyMatch = Partial<Record<MatchKey, string[]>>;

/** What a rule adds to the Access-Accept. */
export interface PolicyReply {
  /** VLAN ID (1..4094) or name: Tunnel-Type=VLAN, Tunnel-Medium-Type=IEEE-802, Tunnel-Private-Group-Id. */
  vlan?: string;
  /** Session-Timeout (27), seconds. */
  sessionTimeout?: number;
  /** Class (25), besides the session token certgate adds itself. */
  class?: string;
  /** Filter-Id (11). */
  filterId?: string;
}

export interface PolicyRule {
  /** Position in `policy:` (0-based, as in the config key policy[N]). */
  index: number;
  name: string | null;
  match: PolicyMatch;
  /** True: an accept becomes a reject (reason `policy`); `reply` is then empty. */
  reject: boolean;
  reply: PolicyReply;
}

/** Which rule matched, for the decision log and `certgate check`. */
export interface RuleRef {
  index: number;
  name: string | null;
}

/** The facts a rule is matched against. null: not known here (such a key never matches). */
export interface PolicyFacts {
  member: string | null;
  issuer: string | null;
  /** The certificate subject's organizationalUnitName values. */
  ou: readonly string[];
  /** Realm of the outer identity (lowercase). */
  realm: string | null;
  /** RADIUS client name from the config. */
  client: string | null;
}

export interface PolicyOutcome {
  /** null: no rule matched (an accept with no extra attributes). */
  rule: RuleRef | null;
  reject: boolean;
  reply: PolicyReply;
}

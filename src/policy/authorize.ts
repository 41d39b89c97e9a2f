// The decision pipeline followed by the authorization policy: what RADIUS logins and
// `certgate check` both call, so they answer alike. The OCSP responder and the verify API call
// decide() alone: the policy is about what a RADIUS Access-Accept carries.
import type { ChainVerifier } from '../verify/chain.js';
import type { DecideInput, Verifier } from '../verify/decide.js';
import type { Decision } from '../verify/reasons.js';
import { type Policy, applyPolicy, policyFacts } from './policy.js';

export interface AuthorizeDeps {
  verifier: Pick<Verifier, 'decide'>;
  chains: Pick<ChainVerifier, 'verify'>;
  policy: Policy;
}

export async function decideWithPolicy(deps: AuthorizeDeps, input: DecideInput & { client: string | null }): Promise<Decision> {
  const d = await deps.verifier.decide(input);
  // No `policy:` configured: nothing to add, and no `rule` in the decision log.
  if (d.result !== 'accept' || deps.policy.size === 0) return d;
  // Only rules on `ou` need the leaf's subject: the pipeline has just verified this chain, so this
  // is a lookup in its cache.
  let cert: { ou: readonly string[] } | undefined;
  if (deps.policy.uses('ou')) {
    const built = deps.chains.verify(input.chain);
    cert = built.ok ? built.path[0]!.facts : undefined;
  }
  return applyPolicy(deps.policy, d, policyFacts(d, cert, { outerIdentity: input.outerIdentity, client: input.client }));
}

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
  if (d.result !== 'accept') return d;
  // The pipeline has just verified this chain: this is a cache hit for the leaf's facts (its OU).
  const built = deps.chains.verify(input.chain);
  const cert = built.ok ? built.path[0]!.facts : undefined;
  return applyPolicy(deps.policy, d, policyFacts(d, cert, { outerIdentity: input.outerIdentity, client: input.client }));
}

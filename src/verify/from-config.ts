import { readFileSync } from 'node:fs';
import type { Config } from '../config/load.js';
import { ChainVerifier } from './chain.js';
import { type MembershipSource, type RevocationStep, Verifier } from './decide.js';

/** The verifier exactly as the gateway builds it, so `certgate check` decides the same way. */
export function verifierFromConfig(config: Config, store: MembershipSource, revocation?: RevocationStep): { verifier: Verifier; chains: ChainVerifier } {
  const chains = new ChainVerifier(config.tls.trustAnchors.map((f) => readFileSync(f)));
  return { verifier: new Verifier({ chains, store, realms: config.identity.realms, revocation }), chains };
}

import type { CertRecord } from '../store/types.js';
import type { ChainVerifier } from './chain.js';
import { parseOuterIdentity, sameIdentity } from './identity.js';
import { type Decision, reject } from './reasons.js';

/** What the decision needs from the issued-certificate store: an in-memory lookup. */
export interface MembershipSource {
  lookup(issuer: string, serial: string): CertRecord | undefined;
}

export interface DecideInput {
  /** Leaf first, as the peer sent it. */
  chain: Buffer[];
  /** The outer EAP identity; null when there is none to check (e.g. `certgate check` without --identity). */
  outerIdentity: string | null;
  now: Date;
}

export interface VerifierDeps {
  chains: ChainVerifier;
  store: MembershipSource;
  realms: string[];
}

/**
 * The one decision pipeline: RADIUS logins, `certgate check` and every later caller use it and get
 * the same reasons. Order: chain (cached) → time → usage → membership (store) → identity.
 */
export class Verifier {
  private readonly realms: Set<string>;

  constructor(private readonly deps: VerifierDeps) {
    this.realms = new Set(deps.realms.map((r) => r.toLowerCase()));
  }

  async decide(input: DecideInput): Promise<Decision> {
    return this.decideSync(input);
  }

  decideSync({ chain, outerIdentity, now }: DecideInput): Decision {
    const built = this.deps.chains.verify(chain);
    if (!built.ok) {
      const f = built.leaf?.facts;
      return reject(built.reason, { member: f?.member ?? null, serial: f?.serial ?? null, issuer: f?.issuer ?? null, detail: built.detail });
    }
    const leaf = built.path[0]!;
    const facts = { member: leaf.facts.member, serial: leaf.facts.serial, issuer: leaf.facts.issuer };
    const t = now.getTime();
    if (t < leaf.facts.notBefore.getTime()) return reject('not_yet_valid', { ...facts, detail: `valid from ${leaf.facts.notBefore.toISOString()}` });
    if (t > leaf.facts.notAfter.getTime()) return reject('expired', { ...facts, detail: `expired ${leaf.facts.notAfter.toISOString()}` });
    for (const c of [...built.path.slice(1), built.anchor]) {
      if (t < c.facts.notBefore.getTime() || t > c.facts.notAfter.getTime()) {
        return reject('chain_expired', { ...facts, detail: `${c.facts.subject} is outside its validity period` });
      }
    }
    if (!leaf.clientAuth) return reject('bad_eku', { ...facts, detail: 'no clientAuth extended key usage' });
    if (!leaf.facts.member) return reject('no_member', { ...facts, detail: 'no rfc822Name or emailAddress in the certificate' });

    const record = this.deps.store.lookup(leaf.facts.issuer, leaf.facts.serial);
    if (!record || record.fingerprint !== leaf.facts.fingerprint) {
      return reject('not_issued', { ...facts, detail: record ? 'a different certificate with this serial is recorded' : 'not in the issued-certificate store' });
    }
    if (record.status === 'revoked') {
      return reject('revoked_store', { ...facts, member: record.member, detail: `revoked (${record.revocationReason ?? 'unspecified'}) at ${record.revokedAt?.toISOString() ?? '?'}` });
    }
    if (record.status === 'superseded') {
      return reject('superseded', { ...facts, member: record.member, detail: `replaced by certificate ${record.supersededBy ?? '?'}` });
    }

    if (outerIdentity !== null) {
      const id = parseOuterIdentity(outerIdentity);
      if (id.realm === null || !this.realms.has(id.realm)) {
        return reject('realm', { ...facts, member: record.member, detail: `outer identity ${JSON.stringify(outerIdentity)} is not in ${[...this.realms].join(', ')}` });
      }
      if (!id.anonymous && !sameIdentity(outerIdentity, record.member)) {
        return reject('identity_mismatch', { ...facts, member: record.member, detail: `outer identity ${JSON.stringify(outerIdentity)} does not name ${record.member}` });
      }
    }
    return { result: 'accept', reason: 'ok', member: record.member, serial: facts.serial, issuer: facts.issuer };
  }
}

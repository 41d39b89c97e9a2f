import type { CertRecord } from '../store/types.js';
import type { ChainVerifier, ParsedCert } from './chain.js';
import type { RevocationOutcome } from '../revocation/revocation-checker.js';
import { parseOuterIdentity, sameIdentity } from './identity.js';
import { type Decision, reject } from './reasons.js';
import { type Standing, standingRefusal, storeStanding } from './standing.js';

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

/** Revocation beyond the store (src/revocation/, RevocationService); check() is null when none is configured. */
export interface RevocationStep {
  /** False while no revocation is configured (the step is then skipped without any work). */
  readonly active?: boolean;
  check(path: readonly ParsedCert[], anchor: ParsedCert, now: Date): Promise<RevocationOutcome> | null;
  /** The store revoked this certificate: nothing cached may say otherwise. */
  forget(issuerCert: ParsedCert, serial: string): void;
}

export interface VerifierDeps {
  chains: ChainVerifier;
  store: MembershipSource;
  realms: string[];
  revocation?: RevocationStep | undefined;
}

/**
 * The one decision pipeline: RADIUS logins, `certgate check` and every later caller use it and get
 * the same reasons. Order: chain (cached) → time → usage → membership (store) → identity →
 * revocation (answer cache → CRL → OCSP, every certificate below the anchor; decide() only).
 */
export class Verifier {
  private readonly realms: Set<string>;

  constructor(private readonly deps: VerifierDeps) {
    this.realms = new Set(deps.realms.map((r) => r.toLowerCase()));
  }

  async decide(input: DecideInput): Promise<Decision> {
    const d = this.decideSync(input);
    const revocation = this.deps.revocation;
    if (!revocation || revocation.active === false || (d.result !== 'accept' && d.reason !== 'revoked_store')) return d;
    // The chain is cached by ChainVerifier: this is a lookup, not a second verification.
    const built = this.deps.chains.verify(input.chain);
    if (!built.ok) return d;
    if (d.result !== 'accept') {
      revocation.forget(built.path[1] ?? built.anchor, built.path[0]!.facts.serial);
      return d;
    }
    // Last step: CRLs and OCSP for every certificate below the anchor (the store has spoken).
    const pending = revocation.check(built.path, built.anchor, input.now);
    if (!pending) return d;
    const r = await pending;
    if (!r.reject) return { ...d, revocation: { facts: r.facts } };
    return { ...reject(r.reject.reason, { member: d.member, serial: d.serial, issuer: d.issuer, detail: r.reject.detail }), revocation: { facts: r.facts } };
  }

  /**
   * Membership and revocation of one certificate: the step decide() runs after the chain checks,
   * and all the OCSP responder runs (it has only issuer and serial). `now` is for time-dependent
   * revocation sources.
   */
  standing(issuer: string, serial: string, fingerprint: string | null, _now: Date): Standing {
    return storeStanding(this.deps.store, issuer, serial, fingerprint);
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

    const standing = this.standing(leaf.facts.issuer, leaf.facts.serial, leaf.facts.fingerprint, now);
    if (standing.status !== 'current') return standingRefusal(standing, facts)!;
    const record = standing.record;

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

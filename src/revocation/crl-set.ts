// The CRLs in force, one per issuing CA, and the rules for replacing one: a candidate must parse,
// be signed by a known CA whose subject is its issuer, not come from the future, and never go back
// (CRL Number, then thisUpdate). Replacing is one Map.set of an immutable LoadedCrl: a login sees
// the old CRL or the new one, never half of either. Time is passed in.
import type { CaInfo } from './ca-info.js';
import { CrlError, type ParsedCrl, type RevokedList, parseCrl } from './crl-codec.js';
import { verifySignature } from './signature.js';

export interface LoadedCrl {
  /** Configured source it came from (file path or URL). */
  source: string;
  issuer: CaInfo;
  thisUpdate: Date;
  nextUpdate: Date | null;
  number: bigint | null;
  revoked: RevokedList;
  digest: string;
  loadedAt: Date;
}

export type Offer =
  | { outcome: 'installed'; crl: LoadedCrl; previous: LoadedCrl | undefined }
  | { outcome: 'unchanged'; crl: LoadedCrl }
  | { outcome: 'refused'; why: string; issuer?: CaInfo };

/** A CRL whose thisUpdate is further ahead of our clock than this is refused. */
export const FUTURE_SKEW_MS = 5 * 60_000;

export interface SourceState {
  source: string;
  crl: LoadedCrl | undefined;
  lastError: string | undefined;
  lastAttempt: Date | undefined;
  /** Issuer this source is configured for (fail closed while nothing is loaded), when known. */
  expectedIssuer: CaInfo | undefined;
}

export class CrlSet {
  private readonly byIssuer = new Map<string, LoadedCrl>();
  private readonly sources = new Map<string, SourceState>();

  /** `cas`: the certificates a CRL may be signed by (trust anchors and configured CRL issuers). */
  constructor(private readonly cas: readonly CaInfo[]) {}

  addSource(source: string, expectedIssuer?: CaInfo): void {
    if (!this.sources.has(source)) this.sources.set(source, { source, crl: undefined, lastError: undefined, lastAttempt: undefined, expectedIssuer });
  }

  /** The CRL in force for an issuer (by key id). */
  forIssuer(issuerId: string): LoadedCrl | undefined {
    return this.byIssuer.get(issuerId);
  }

  /** True when a configured source promises a CRL for this issuer (so "none loaded" must fail closed). */
  expects(issuerId: string): boolean {
    for (const s of this.sources.values()) if (s.expectedIssuer?.id === issuerId || s.crl?.issuer.id === issuerId) return true;
    return false;
  }

  sourceStates(): SourceState[] {
    return [...this.sources.values()];
  }

  all(): LoadedCrl[] {
    return [...this.byIssuer.values()];
  }

  /** Records a failure to obtain bytes (I/O, HTTP) for a source; the CRL in force stays. */
  failed(source: string, why: string, now: Date): void {
    const s = this.sources.get(source);
    if (s) {
      s.lastError = why;
      s.lastAttempt = now;
    }
  }

  /** Parses, verifies and, when it is newer, installs a CRL read from `source`. */
  offer(source: string, bytes: Buffer, now: Date): Offer {
    this.addSource(source);
    const state = this.sources.get(source)!;
    state.lastAttempt = now;
    const r = this.evaluate(source, bytes, now, state);
    state.lastError = r.outcome === 'refused' ? r.why : undefined;
    if (r.outcome === 'installed') {
      state.crl = r.crl;
      this.byIssuer.set(r.crl.issuer.id, r.crl);
    } else if (r.outcome === 'unchanged') state.crl = r.crl;
    return r;
  }

  private evaluate(source: string, bytes: Buffer, now: Date, state: SourceState): Offer {
    let parsed: ParsedCrl;
    try {
      parsed = parseCrl(bytes);
    } catch (e) {
      if (e instanceof CrlError) return { outcome: 'refused', why: e.message };
      throw e;
    }
    const named = this.cas.filter((ca) => ca.subjectDer.equals(parsed.issuerDer));
    if (named.length === 0) return { outcome: 'refused', why: 'issued by a CA that is neither a trust anchor nor a configured CRL issuer' };
    const candidates = state.expectedIssuer ? named.filter((c) => c.id === state.expectedIssuer!.id) : named;
    let issuer: CaInfo | undefined;
    let why = `not issued by the configured issuer ${state.expectedIssuer?.subject ?? ''}`;
    for (const ca of candidates) {
      const v = verifySignature(parsed.tbs, parsed.algorithm, parsed.signature, ca.key);
      if (v.ok) {
        issuer = ca;
        break;
      }
      why = `bad signature: ${v.why} (issuer ${ca.subject})`;
    }
    if (!issuer) return { outcome: 'refused', why, issuer: candidates[0] };
    if (parsed.thisUpdate.getTime() > now.getTime() + FUTURE_SKEW_MS) {
      return { outcome: 'refused', why: `thisUpdate ${parsed.thisUpdate.toISOString()} is in the future`, issuer };
    }
    if (parsed.nextUpdate && parsed.nextUpdate.getTime() < parsed.thisUpdate.getTime()) {
      return { outcome: 'refused', why: 'nextUpdate is before thisUpdate', issuer };
    }
    const current = this.byIssuer.get(issuer.id);
    if (current) {
      if (current.digest === parsed.digest) return { outcome: 'unchanged', crl: current };
      if (current.number !== null && parsed.number !== null) {
        if (parsed.number < current.number) return { outcome: 'refused', why: `CRL Number goes back (${parsed.number} after ${current.number})`, issuer };
        if (parsed.number === current.number) return { outcome: 'refused', why: `CRL Number ${parsed.number} again with different content`, issuer };
      } else if (current.number !== null && parsed.number === null) {
        return { outcome: 'refused', why: 'CRL without a CRL Number after one with a number', issuer };
      }
      if (parsed.thisUpdate.getTime() < current.thisUpdate.getTime()) {
        return { outcome: 'refused', why: `thisUpdate goes back (${parsed.thisUpdate.toISOString()} after ${current.thisUpdate.toISOString()})`, issuer };
      }
    }
    const crl: LoadedCrl = {
      source,
      issuer,
      thisUpdate: parsed.thisUpdate,
      nextUpdate: parsed.nextUpdate,
      number: parsed.number,
      revoked: parsed.revoked,
      digest: parsed.digest,
      loadedAt: now,
    };
    return { outcome: 'installed', crl, previous: current };
  }
}

/** Past nextUpdate + maxStaleSeconds: the CRL no longer says anything about today. */
export function isStale(crl: LoadedCrl, now: Date, maxStaleSeconds: number): boolean {
  return crl.nextUpdate !== null && now.getTime() > crl.nextUpdate.getTime() + maxStaleSeconds * 1000;
}

// The rules for adding a certificate, shared by both stores (like supersede.ts): what is refused
// before the table is read, and what the row already stored under the same issuer and serial, or
// the certificate's age, decides. The stores only read and write.
import { certFacts, type CertFacts } from '../verify/cert-facts.js';
import { type CertRow, certRecord } from './cert-row.js';
import type { AddOutcome } from './types.js';

export type Admissible = CertFacts & { member: string };

/** The facts of a certificate that may be stored, or the refusal. */
export function admissible(der: Buffer): Admissible | Extract<AddOutcome, { outcome: 'refused' }> {
  let facts: CertFacts;
  try {
    facts = certFacts(der);
  } catch (e) {
    return { outcome: 'refused', serial: null, message: `not a certificate: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (facts.member === null) {
    return { outcome: 'refused', serial: facts.serial, message: 'no member identity (neither a subjectAltName rfc822Name nor a subject emailAddress)' };
  }
  return facts as Admissible;
}

/** What stops the insert, given the row stored under the same issuer and serial; undefined to insert. */
export function addStopped(facts: CertFacts, existing: CertRow | undefined, now: Date, allowExpired = false): AddOutcome | undefined {
  if (existing !== undefined) {
    if (existing.fingerprint === facts.fingerprint) return { outcome: 'exists', record: certRecord(existing) };
    return {
      outcome: 'refused',
      serial: facts.serial,
      message: `serial ${facts.serial} of issuer "${facts.issuer}" is already stored for a different certificate (fingerprint ${existing.fingerprint})`,
    };
  }
  if (!allowExpired && now.getTime() > facts.notAfter.getTime()) {
    return { outcome: 'refused', serial: facts.serial, message: `expired on ${facts.notAfter.toISOString()}` };
  }
  return undefined;
}

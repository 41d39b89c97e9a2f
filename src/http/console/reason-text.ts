// Every decision reason, explained for a person at the helpdesk in one sentence built from the
// facts we have (dates, identities, serials): what happened and what to do.
import type { DecisionRecord } from '../../obs/decision-ring.js';
import { type CertRecord, type RevocationReason, parseReason } from '../../store/types.js';

export type DecisionFacts = Pick<DecisionRecord, 'result' | 'reason' | 'member' | 'serial' | 'issuer' | 'outerIdentity'> & { detail?: string | undefined };

export interface ReasonContext {
  /** Store records that may be involved: the decision's certificate and its successor. */
  records: readonly CertRecord[];
  realms: readonly string[];
}

const REVOCATION_WORDS: Readonly<Record<RevocationReason, string>> = {
  unspecified: 'no reason given',
  keyCompromise: 'key compromised, e.g. a lost or stolen device',
  cACompromise: 'CA compromised',
  affiliationChanged: 'no longer a member',
  superseded: 'replaced by a new certificate',
  cessationOfOperation: 'no longer needed',
  certificateHold: 'on hold',
  removeFromCRL: 'removed from the CRL',
  privilegeWithdrawn: 'network access withdrawn',
  aACompromise: 'attribute authority compromised',
};

export const revocationWords = (r: RevocationReason | null): string => REVOCATION_WORDS[r ?? 'unspecified'];

/** YYYY-MM-DD (UTC), the way dates are written on the console. */
export const day = (d: Date): string => d.toISOString().slice(0, 10);

/** A date written inside a detail string ("expired 2026-01-02T…"), as a day. */
function dayIn(detail: string | undefined): string | null {
  const m = /\d{4}-\d{2}-\d{2}/.exec(detail ?? '');
  return m ? m[0] : null;
}

/**
 * What a CRL or OCSP detail says: the RFC 5280 reason at its end, and whether the serial it names
 * is a CA certificate's rather than the member's.
 */
function revokedFacts(detail: string | undefined, serial: string | null): { words: string | null; ofCa: boolean } {
  const reason = /\((\w+)\)$/.exec(detail ?? '')?.[1];
  const parsed = reason ? parseReason(reason) : null;
  const named = /\(serial ([0-9A-Fa-f]+)\)/.exec(detail ?? '')?.[1];
  return { words: parsed ? revocationWords(parsed) : null, ofCa: named !== undefined && serial !== null && named.toUpperCase() !== serial.toUpperCase() };
}

const REVOKED_FIX = 'the member needs a new certificate';
const NOT_MEMBER_FAULT = "this is not the member's fault; tell the network team";

export function reasonText(d: DecisionFacts, ctx: ReasonContext): string {
  const record = d.serial === null ? undefined : ctx.records.find((r) => r.serial === d.serial && (d.issuer === null || r.issuer === d.issuer));
  const detailDay = dayIn(d.detail);
  const serial = d.serial ?? 'unknown';
  switch (d.reason) {
    case 'ok':
      return `accepted: the certificate ${serial} of ${d.member ?? 'the member'} is valid and current`;
    case 'no_certificate':
      return "the device sent no certificate: install the member's certificate and select it in the device's Wi-Fi settings";
    case 'bad_certificate':
      return 'the device sent a certificate that cannot be read: remove it from the device and install it again from the certificate portal';
    case 'untrusted_issuer':
      return `the certificate on the device was issued by ${d.issuer ?? 'an unknown CA'}, a CA this network does not trust: install the member's JAIST certificate instead`;
    case 'bad_signature':
      return 'the certificate names a trusted CA but its signature does not check out (damaged or forged): issue a new certificate';
    case 'weak_signature':
      return 'the certificate is signed with an outdated algorithm (MD5 or SHA-1) that is no longer accepted: issue a new certificate';
    case 'not_yet_valid':
      return `the certificate is not valid yet (valid from ${record ? day(record.notBefore) : (detailDay ?? 'a later date')}): check the date and time on the device`;
    case 'expired':
      return `the certificate ${serial} expired on ${record ? day(record.notAfter) : (detailDay ?? 'an earlier date')}: renew it on the certificate portal and install the new one`;
    case 'chain_expired':
      return `a CA certificate above the member's certificate is outside its validity period: ${NOT_MEMBER_FAULT}`;
    case 'bad_eku':
      return 'the certificate is not made for network login (it lacks the client-authentication usage): issue a network certificate for the member';
    case 'no_member':
      return 'the certificate names no member (no e-mail address in it): it is not a member certificate; install the JAIST one';
    case 'not_issued':
      return `the certificate ${serial} was not issued to a member by JAIST's issuing system (it is not in the certificate store): install the certificate from the certificate portal`;
    case 'superseded': {
      const next = record?.supersededBy ? ctx.records.find((r) => r.serial === record.supersededBy && r.issuer === record.issuer) : undefined;
      const when = next ? ` issued on ${day(next.notBefore)}` : record?.supersededBy ? ` (serial ${record.supersededBy})` : '';
      return `this certificate was replaced by a newer one${when}: install the new one on this device`;
    }
    case 'revoked_store': {
      const when = record?.revokedAt ? day(record.revokedAt) : (detailDay ?? 'an earlier date');
      return `this certificate was revoked on ${when} (${revocationWords(record?.revocationReason ?? null)}): ${REVOKED_FIX}`;
    }
    case 'realm': {
      const typed = d.outerIdentity ?? '';
      const realms = ctx.realms.map((r) => `@${r}`).join(' or ') || 'our realm';
      const anonymous = ctx.realms[0] ? ` (or anonymous@${ctx.realms[0]})` : '';
      return typed.includes('@')
        ? `the identity typed on the device was ${typed}, but this network only takes identities ending in ${realms}: type the member's own address${anonymous}`
        : `the identity typed on the device was "${typed}", without a realm: it must end in ${realms}, e.g. the member's own address${anonymous}`;
    }
    case 'identity_mismatch':
      return `the identity typed on the device was ${d.outerIdentity ?? 'another one'}, but the certificate belongs to ${record?.member ?? d.member ?? 'someone else'}: type ${record?.member ?? d.member ?? "the certificate owner's address"} as the identity`;
    case 'tls_failed':
      return 'the device did not finish the secure connection: check the CA certificate configured on the device';
    case 'eap_method_refused':
      return 'the device is set to another method, e.g. PEAP: set it to TLS/certificate';
    case 'eap_protocol':
      return 'the login conversation with the device broke off or broke the protocol: forget the network on the device and connect again';
    case 'revoked_crl':
    case 'revoked_ocsp': {
      const r = revokedFacts(d.detail, d.serial);
      if (r.ofCa) return `a CA certificate above the member's certificate has been revoked: ${NOT_MEMBER_FAULT}`;
      const facts = `${detailDay ? ` since ${detailDay}` : ''}${r.words ? ` (${r.words})` : ''}`;
      return d.reason === 'revoked_crl'
        ? `the certificate ${serial} is on the CA's revocation list (CRL)${facts}: ${REVOKED_FIX}`
        : `the CA's OCSP service says the certificate ${serial} is revoked${facts}: ${REVOKED_FIX}`;
    }
    case 'ocsp_unknown':
      return `the CA's OCSP service does not know the certificate ${serial}: the CA may not have issued it; ask the certificate team`;
    case 'ocsp_unavailable':
      return `certgate could not get an answer from the CA's OCSP service, and the policy refuses logins without one: ${NOT_MEMBER_FAULT}`;
    case 'crl_stale':
      return `certgate's copy of the revocation list (CRL) is out of date, and the policy refuses logins then: ${NOT_MEMBER_FAULT}`;
    case 'paced':
      return 'the device was refused too many times in a short while, so certgate holds it back for a few minutes: fix the cause of the earlier refusals first, then try again after a short wait';
    case 'policy': {
      const rule = /policy rule (.+)$/.exec(d.detail ?? '')?.[1];
      return `the certificate is fine, but the network's access policy refuses this login${rule ? ` (rule ${rule})` : ''}: ask the network team whether the member should have access here`;
    }
    default:
      return `refused for a reason the console cannot explain yet (${d.reason})${d.detail ? `: ${d.detail}` : ''}`;
  }
}

/**
 * "The device never got as far as certgate": the explanation when a member has no decision at
 * all among the ones in memory.
 */
export function noDecisionsText(member: string, capacity: number): string {
  return (
    `certgate has no login attempt from ${member} among the last ${capacity.toLocaleString('en-US')} logins: ` +
    "the device never got as far as certgate. Check that it is in range of the access point and joins the right network name (SSID), " +
    'that its Wi-Fi is set to WPA2/WPA3-Enterprise with TLS (certificate), and that the access point is a RADIUS client of certgate.'
  );
}

/** Short labels for the overview's reason table. */
export function reasonLabel(reason: string): string {
  const labels: Record<string, string> = {
    ok: 'accepted',
    superseded: 'replaced by a newer certificate',
    expired: 'certificate expired',
    revoked_store: 'revoked by an operator',
    revoked_crl: 'revoked (CRL)',
    revoked_ocsp: 'revoked (OCSP)',
    crl_stale: 'CRL out of date',
    ocsp_unknown: 'unknown to OCSP',
    ocsp_unavailable: 'no OCSP answer',
    identity_mismatch: 'wrong identity typed',
    realm: 'identity without our realm',
    not_issued: 'not issued by JAIST',
    untrusted_issuer: 'certificate from another CA',
    tls_failed: 'secure connection not finished',
    eap_method_refused: 'device set to another method',
    no_certificate: 'no certificate sent',
    paced: 'held back after many refusals',
    policy: 'refused by the access policy',
    eap_protocol: 'login conversation broke off',
  };
  return labels[reason] ?? reason.replace(/_/g, ' ');
}

// What revocation needs to know about an issuing CA certificate, computed once per certificate:
// its key (to verify CRLs and OCSP responses), the OCSP CertID hashes, and a stable id.
import { type KeyObject, X509Certificate, createHash } from 'node:crypto';
import { TAG, children, content, expect, whole } from './der.js';
import { x509 } from '../verify/cert-facts.js';

export interface CaInfo {
  der: Buffer;
  x509: X509Certificate;
  /** Subject in the form certFacts uses (for matching a CRL's issuer and for people). */
  subject: string;
  /** Subject CN (the bounded `issuer` label of the CRL metrics); the whole subject when there is none. */
  label: string;
  key: KeyObject;
  /** SHA-256 of the SubjectPublicKeyInfo, hex: a CRL or OCSP answer is bound to the issuer's key. */
  id: string;
  /** DER of the subject Name, and the SHA-1 hashes an OCSP CertID carries (RFC 6960 4.1.1). */
  subjectDer: Buffer;
  nameHashSha1: Buffer;
  keyHashSha1: Buffer;
  /** The public key bits (the BIT STRING's content without the unused-bits byte). */
  keyBits: Buffer;
}

const cache = new Map<string, CaInfo>();
const CACHE_MAX = 1000;

/** Parses (once, cached by the DER's SHA-256) the revocation facts of a CA certificate. */
export function caInfo(der: Buffer): CaInfo {
  const fp = createHash('sha256').update(der).digest('hex');
  const hit = cache.get(fp);
  if (hit) return hit;
  const info = parseCaInfo(der);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(fp, info);
  return info;
}

function parseCaInfo(der: Buffer): CaInfo {
  const cert = expect(der, 0, TAG.SEQUENCE, 'Certificate');
  const tbs = expect(der, cert.contentStart, TAG.SEQUENCE, 'tbsCertificate', cert.end);
  const f = children(der, tbs);
  const base = f[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version
  const subject = f[base + 4];
  const spki = f[base + 5];
  if (!subject || !spki || subject.tag !== TAG.SEQUENCE || spki.tag !== TAG.SEQUENCE) throw new Error('certificate without subject or public key');
  const spkiParts = children(der, spki);
  const bits = spkiParts[1];
  if (!bits || bits.tag !== TAG.BIT_STRING) throw new Error('public key is not a BIT STRING');
  const keyBits = content(der, bits).subarray(1);
  const subjectDer = Buffer.from(whole(der, subject));
  const node = new X509Certificate(der);
  const name = new x509.Name(new Uint8Array(subjectDer));
  const cn = name.getField('2.5.4.3')[0];
  const subjectText = name.toString();
  return {
    der,
    x509: node,
    subject: subjectText,
    label: cn ?? subjectText,
    key: node.publicKey,
    id: createHash('sha256').update(whole(der, spki)).digest('hex'),
    subjectDer,
    nameHashSha1: createHash('sha1').update(subjectDer).digest(),
    keyHashSha1: createHash('sha1').update(keyBits).digest(),
    keyBits: Buffer.from(keyBits),
  };
}

/** The OCSP responder URLs of a certificate's Authority Information Access extension. */
export function ocspUrls(cert: X509Certificate): string[] {
  const ia = cert.infoAccess;
  if (!ia) return [];
  return ia
    .split('\n')
    .map((l) => /^OCSP - URI:(\S+)$/.exec(l.trim())?.[1])
    .filter((u): u is string => u !== undefined && /^https?:\/\//i.test(u));
}

import { X509Certificate, createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { type CertFacts, certFacts, parseCertificates } from './cert-facts.js';
import { signatureAlgorithm } from './signature-algorithm.js';
import type { RejectReason } from './reasons.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** A certificate parsed once and kept by fingerprint: parsing costs more than the login's lookups. */
export interface ParsedCert {
  x509: X509Certificate;
  facts: CertFacts;
  strongSignature: boolean;
  clientAuth: boolean;
}

export function parseCert(der: Buffer): ParsedCert {
  const x509 = new X509Certificate(der);
  const facts = certFacts(der);
  // Node lists the extended key usages; undefined when the extension is absent. certgate requires
  // clientAuth explicitly: a certificate without the extension is not meant for logins.
  const eku = x509.keyUsage as string[] | undefined;
  return { x509, facts, strongSignature: signatureAlgorithm(der).strong, clientAuth: eku?.includes(CLIENT_AUTH) ?? false };
}

export type ChainResult =
  | { ok: true; path: ParsedCert[]; anchor: ParsedCert }
  | { ok: false; reason: RejectReason; detail: string; leaf?: ParsedCert };

/**
 * Intermediates each leaf arrived with, kept across verifier instances (a reload makes a new one)
 * because resumed sessions outlive them. Only candidates: the path is still built and verified
 * against the current anchors.
 */
const intermediatesByLeaf = new LRUCache<string, ParsedCert[]>({ max: 10_000 });

/**
 * Builds and verifies the path from the leaf to a configured trust anchor, with intermediates the
 * peer sent. Signatures and structure are verified once per distinct chain (cached by the
 * fingerprints); the time-dependent checks are the caller's, redone at every use.
 */
export class ChainVerifier {
  private readonly anchors: ParsedCert[];
  private readonly parsed = new LRUCache<string, ParsedCert>({ max: 10_000 });
  private readonly chains = new LRUCache<string, ChainResult>({ max: 10_000 });

  constructor(anchorPem: Buffer[]) {
    this.anchors = anchorPem.flatMap((b) => parseCertificates(b)).map(parseCert);
    if (this.anchors.length === 0) throw new Error('no trust anchor certificate found in tls.trustAnchors');
  }

  get cacheSizes() {
    return { certificates: this.parsed.size, chains: this.chains.size };
  }

  anchorCount(): number {
    return this.anchors.length;
  }

  /** `chain` is leaf first, as the peer sent it. */
  verify(chain: Buffer[]): ChainResult {
    if (chain.length === 0) return { ok: false, reason: 'no_certificate', detail: 'the peer sent no certificate' };
    let certs: ParsedCert[];
    try {
      certs = chain.map((der) => this.parse(der));
    } catch (e) {
      return { ok: false, reason: 'bad_certificate', detail: `unparseable certificate: ${(e as Error).message}` };
    }
    // A resumed session remembers only the peer's leaf, not the intermediates it sent: use the
    // ones that leaf came with last time, so a resumed login is decided on the same chain.
    if (certs.length === 1) {
      const known = intermediatesByLeaf.get(certs[0]!.facts.fingerprint);
      if (known) certs = [certs[0]!, ...known];
    }
    const key = certs.map((c) => c.facts.fingerprint).join(':');
    let result = this.chains.get(key);
    if (!result) {
      result = this.build(certs);
      this.chains.set(key, result);
      if (result.ok && result.path.length > 1) intermediatesByLeaf.set(result.path[0]!.facts.fingerprint, result.path.slice(1));
    }
    return result;
  }

  private parse(der: Buffer): ParsedCert {
    const fp = certFactsKey(der);
    let p = this.parsed.get(fp);
    if (!p) {
      p = parseCert(der);
      this.parsed.set(fp, p);
    }
    return p;
  }

  private build(certs: ParsedCert[]): ChainResult {
    const leaf = certs[0]!;
    const pool = certs.slice(1).filter((c) => c.x509.ca);
    const path: ParsedCert[] = [leaf];
    let current = leaf;
    for (let depth = 0; depth < 8; depth++) {
      if (!current.strongSignature) {
        return { ok: false, reason: 'weak_signature', detail: `${current.facts.subject} has a weak signature algorithm`, leaf };
      }
      const anchor = this.anchors.find((a) => current.x509.checkIssued(a.x509));
      if (anchor) {
        if (!current.x509.verify(anchor.x509.publicKey)) {
          return { ok: false, reason: 'bad_signature', detail: `signature of ${current.facts.subject} does not verify with ${anchor.facts.subject}`, leaf };
        }
        return { ok: true, path, anchor };
      }
      const next = pool.find((c) => !path.includes(c) && current.x509.checkIssued(c.x509));
      if (!next) return { ok: false, reason: 'untrusted_issuer', detail: `no trusted issuer for ${current.facts.issuer}`, leaf };
      if (!current.x509.verify(next.x509.publicKey)) {
        return { ok: false, reason: 'bad_signature', detail: `signature of ${current.facts.subject} does not verify`, leaf };
      }
      path.push(next);
      current = next;
    }
    return { ok: false, reason: 'untrusted_issuer', detail: 'chain too long', leaf };
  }
}

// The parse cache is keyed by the DER's SHA-256 (the same fingerprint the store uses).
const certFactsKey = (der: Buffer) => createHash('sha256').update(der).digest('hex');

// The OCSP responder (RFC 6960, RFC 9919 profile) for VPN concentrators and anything else that asks
// "is this certificate still good?" over OCSP. Answers come from the decision pipeline's standing
// step (the store snapshot in memory, plus any revocation sources wired into it), signed by the
// delegated responder key. Responses to requests without a nonce are cached per CertID and reused
// until half their validity has passed or the certificate's standing changes: an RSA signature costs
// about a millisecond, a cache hit microseconds. Time is passed in.
import { type KeyObject, X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { type CaInfo, caInfo } from '../revocation/ca-info.js';
import { parseCertificates } from '../verify/cert-facts.js';
import type { Standing } from '../verify/standing.js';
import { IssuerIndex } from './issuers.js';
import { parseOcspRequest } from './request.js';
import { type ErrorStatus, type ResponseSigner, type SingleAnswer, encodeErrorResponse, encodeSignedResponse, signatureAlgorithmDer, wholeSeconds } from './response.js';
import { ocspStatus } from './status.js';

const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

export interface ResponderOptions {
  /** Responder certificate (PEM or DER), issued by a trust anchor with EKU OCSPSigning (or the CA itself). */
  certificate: Buffer;
  privateKey: KeyObject;
  /** DER of the configured trust anchors. */
  anchors: Buffer[];
  /** The decision pipeline's membership and revocation step. */
  standing: (issuer: string, serial: string, now: Date) => Standing;
  /** nextUpdate - thisUpdate. */
  validitySeconds: number;
  cacheMax?: number;
}

export interface OcspAnswer {
  der: Buffer;
  /** Per certificate (good, revoked, superseded, not_issued), or the one error status. */
  statuses: string[];
  /** Set on successful responses. */
  thisUpdate: Date | null;
  nextUpdate: Date | null;
  /** The response echoes a nonce: specific to one request, never to be cached. */
  nonce: boolean;
  /** How the signature came about: reused from the cache, fresh, or for a nonce; null for errors. */
  signed: 'cached' | 'fresh' | 'nonce' | null;
  /** Strong validator of the bytes (for ETag). */
  etag: string;
}

interface Cached {
  der: Buffer;
  statusKey: string;
  statuses: string[];
  thisUpdate: Date;
  nextUpdate: Date;
  etag: string;
}

const etagOf = (der: Buffer) => `"${createHash('sha256').update(der).digest('base64url').slice(0, 27)}"`;

export class OcspResponder {
  private readonly signer: ResponseSigner;
  private readonly issuers: IssuerIndex;
  private readonly cache: LRUCache<string, Cached>;
  private readonly responderCert: X509Certificate;

  constructor(private readonly o: ResponderOptions) {
    const [der] = parseCertificates(o.certificate);
    if (!der) throw new Error('no certificate found in the OCSP responder certificate file');
    const cert = new X509Certificate(der);
    if (!cert.publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey(o.privateKey).export({ type: 'spki', format: 'der' }))) {
      throw new Error('the OCSP responder private key does not belong to its certificate');
    }
    const anchors = o.anchors.map((a) => caInfo(a));
    const self = anchors.find((a) => a.der.equals(der));
    // A delegated responder answers only for the CA that issued it (RFC 6960 4.2.2.2).
    const delegating = self ? [self] : anchors.filter((a) => cert.checkIssued(a.x509) && cert.verify(a.key));
    if (delegating.length === 0) throw new Error(`the OCSP responder certificate (${oneLine(cert.subject)}) is not issued by any tls.trustAnchors certificate: OCSP clients would reject its answers`);
    if (!self && !((cert.keyUsage as string[] | undefined) ?? []).includes(OCSP_SIGNING)) {
      throw new Error(`the OCSP responder certificate (${oneLine(cert.subject)}) lacks the OCSPSigning extended key usage (id-kp-OCSPSigning)`);
    }
    const info = caInfo(der);
    this.responderCert = cert;
    this.issuers = new IssuerIndex(delegating);
    this.signer = { certificate: der, key: o.privateKey, keyHash: info.keyHashSha1, hash: 'sha256', algorithmDer: signatureAlgorithmDer(o.privateKey) };
    this.cache = new LRUCache({ max: o.cacheMax ?? 10_000 });
  }

  static fromFiles(cfg: { certificate: string; privateKey: string; validitySeconds: number }, anchorFiles: string[], standing: ResponderOptions['standing']): OcspResponder {
    return new OcspResponder({
      certificate: readFileSync(cfg.certificate),
      privateKey: createPrivateKey(readFileSync(cfg.privateKey)),
      anchors: anchorFiles.flatMap((f) => parseCertificates(readFileSync(f))),
      standing,
      validitySeconds: cfg.validitySeconds,
    });
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  /** The CAs answered for. */
  get authorities(): readonly CaInfo[] {
    return this.issuers.cas;
  }

  /** One line for /readyz: whom it answers for, and whether its certificate is still valid. */
  describe(now: Date): string {
    const until = new Date(this.responderCert.validTo);
    const cas = this.issuers.cas.map((c) => c.label).join(', ');
    if (now.getTime() > until.getTime()) return `answering for ${cas}; responder certificate EXPIRED on ${until.toISOString()}: clients reject its answers`;
    if (now.getTime() < new Date(this.responderCert.validFrom).getTime()) return `answering for ${cas}; responder certificate not valid before ${new Date(this.responderCert.validFrom).toISOString()}`;
    return `answering for ${cas}; responder certificate valid until ${until.toISOString()}`;
  }

  respond(request: Buffer, now: Date): OcspAnswer {
    const parsed = parseOcspRequest(request);
    if (!parsed.ok) return this.error('malformedRequest');
    const found = parsed.requests.map((r) => ({ r, ca: this.issuers.find(r.hashOid, r.nameHash, r.keyHash) }));
    if (found.some((f) => f.ca === undefined)) return this.error('unauthorized');

    const thisUpdate = wholeSeconds(now);
    const nextUpdate = new Date(thisUpdate.getTime() + this.o.validitySeconds * 1000);
    const statuses = found.map((f) => ocspStatus(this.o.standing(f.ca!.subject, f.r.serial, now), now));
    const single = parsed.requests.length === 1 && parsed.nonce === null ? parsed.requests[0]! : null;
    const cacheKey = single?.certIdDer.toString('hex');
    const statusKey = statuses.map((s) => s.key).join(',');
    if (cacheKey !== undefined) {
      const hit = this.cache.get(cacheKey);
      const halfLife = (this.o.validitySeconds * 1000) / 2;
      if (hit && hit.statusKey === statusKey && now.getTime() >= hit.thisUpdate.getTime() && now.getTime() < hit.thisUpdate.getTime() + halfLife) {
        return { der: hit.der, statuses: hit.statuses, thisUpdate: hit.thisUpdate, nextUpdate: hit.nextUpdate, nonce: false, signed: 'cached', etag: hit.etag };
      }
    }
    const answers: SingleAnswer[] = found.map((f, i) => ({ certId: f.r.certId, status: statuses[i]!.status, thisUpdate, nextUpdate }));
    const der = encodeSignedResponse(this.signer, answers, thisUpdate, { nonce: parsed.nonce, extendedRevoke: statuses.some((s) => s.nonIssued) });
    const labels = statuses.map((s) => s.label);
    const etag = etagOf(der);
    if (cacheKey !== undefined) this.cache.set(cacheKey, { der, statusKey, statuses: labels, thisUpdate, nextUpdate, etag });
    return { der, statuses: labels, thisUpdate, nextUpdate, nonce: parsed.nonce !== null, signed: parsed.nonce !== null ? 'nonce' : 'fresh', etag };
  }

  private error(status: ErrorStatus): OcspAnswer {
    const der = encodeErrorResponse(status);
    return { der, statuses: [status], thisUpdate: null, nextUpdate: null, nonce: false, signed: null, etag: etagOf(der) };
  }
}

const oneLine = (s: string) => s.split('\n').join(', ');

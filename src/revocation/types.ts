// Shapes shared by the revocation sources, the checker, the decision and `certgate check`.

export type CrlSourceConfig =
  | { kind: 'file'; file: string; issuer: string | undefined }
  | { kind: 'url'; url: string; refreshSeconds: number; issuer: string | undefined };

/** `revocation:` in the config file (defaults in src/config/load.ts). */
export interface RevocationConfig {
  crls: CrlSourceConfig[];
  crlPolicy: { maxStaleSeconds: number; softFail: boolean };
  ocsp: {
    enabled: boolean;
    /** Overrides the certificates' AIA responder URL. */
    url: string | undefined;
    timeoutMs: number;
    softFail: boolean;
    maxCacheSeconds: number;
    nonce: boolean;
  };
  /** Use the OCSP responder named in a certificate's AIA extension (off unless configured). */
  useCertificateUrls: boolean;
  /** Bound of the revocation answer cache (issuer+serial entries). */
  cacheSize: number;
}

export type RevocationSource = 'crl' | 'ocsp' | 'none';
export type FactStatus = 'good' | 'revoked' | 'unknown' | 'unavailable' | 'stale' | 'not_covered';

/** What revocation said about one certificate of the chain, for logs and `certgate check`. */
export interface RevocationFact {
  /** Subject of the certificate checked (the leaf or an intermediate). */
  subject: string;
  serial: string;
  /** Subject of its issuer, whose CRL or responder answered. */
  issuer: string;
  source: RevocationSource;
  status: FactStatus;
  /** True when the answer came from the in-memory cache (no network). */
  cached: boolean;
  thisUpdate: string | null;
  nextUpdate: string | null;
  crlNumber?: string;
  /** OCSP responder URL, or the CRL's configured source. */
  from?: string;
  revokedAt?: string;
  revocationReason?: string;
  /** The certificate passed although the source could not answer (policy softFail). */
  softFail?: boolean;
  detail?: string;
}

export interface RevocationSummary {
  facts: RevocationFact[];
}

/** The log calls revocation makes (a pino Logger fits; `certgate check` passes a stderr writer). */
export interface RevocationLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * Certificates a CRL or OCSP answer now says are revoked, for whoever ends their sessions. A CRL is
 * passed as a membership test, not a list: the listener walks its own (bounded) sessions against it.
 */
export type RevokedNotice =
  | { source: 'crl'; issuer: string; isRevoked(serial: string): boolean }
  | { source: 'ocsp'; issuer: string; serial: string };

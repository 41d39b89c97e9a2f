// CRL decoding (RFC 5280 section 5), pure: bytes in, a ParsedCrl or a CrlError out. The revoked
// list becomes a Map keyed by the certgate serial form, so a lookup during a login is one hash probe.
import { createHash } from 'node:crypto';
import { DerError, TAG, type Tlv, children, content, decodeOid, decodeTime, decodeTimeMs, expect, integerBig, integerHex, readTlv, whole } from './der.js';
import type { AlgorithmId } from './signature.js';

export class CrlError extends Error {
  override name = 'CrlError';
}

export interface RevokedEntry {
  /** Epoch milliseconds (a number, not a Date: a big CRL has 100,000 of these). */
  revokedAt: number;
  /** RFC 5280 CRLReason code, null when the entry has none. */
  reason: number | null;
}

/**
 * The revoked serials of one CRL: a Map from serial to an index into two typed arrays, so a
 * 100,000-entry CRL is 100,000 strings and no per-entry objects (less to build, less to collect).
 */
export class RevokedList {
  private readonly index = new Map<string, number>();
  private times = new Float64Array(64);
  private reasons = new Int8Array(64);

  get size(): number {
    return this.index.size;
  }

  has(serial: string): boolean {
    return this.index.has(serial);
  }

  get(serial: string): RevokedEntry | undefined {
    const i = this.index.get(serial);
    if (i === undefined) return undefined;
    const r = this.reasons[i]!;
    return { revokedAt: this.times[i]!, reason: r < 0 ? null : r };
  }

  serials(): IterableIterator<string> {
    return this.index.keys();
  }

  /** A serial listed twice keeps its first entry. */
  add(serial: string, revokedAt: number, reason: number | null): void {
    if (this.index.has(serial)) return;
    const i = this.index.size;
    if (i === this.times.length) {
      const t = new Float64Array(i * 2);
      t.set(this.times);
      this.times = t;
      const r = new Int8Array(i * 2);
      r.set(this.reasons);
      this.reasons = r;
    }
    this.times[i] = revokedAt;
    this.reasons[i] = reason ?? -1;
    this.index.set(serial, i);
  }
}

export interface ParsedCrl {
  /** DER of the issuer Name, compared byte for byte with the CA's subject. */
  issuerDer: Buffer;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** CRL Number extension; null on a CRL without one (then thisUpdate orders them). */
  number: bigint | null;
  revoked: RevokedList;
  /** The bytes the signature covers, the algorithm and the signature. */
  tbs: Buffer;
  algorithm: AlgorithmId;
  signature: Buffer;
  /** SHA-256 of the DER: tells an unchanged re-load from a new CRL. */
  digest: string;
  size: number;
}

const OID = {
  crlNumber: '2.5.29.20',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  authorityKeyIdentifier: '2.5.29.35',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  certificateIssuer: '2.5.29.29',
} as const;
const REMOVE_FROM_CRL = 8;

const PEM_CRL = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/;

/** PEM ("X509 CRL") or DER → DER; null when it is neither. */
export function crlDer(input: Buffer): Buffer | null {
  const head = input.subarray(0, 64).toString('latin1');
  if (head.includes('-----BEGIN') || input.toString('latin1').includes('-----BEGIN X509 CRL-----')) {
    const m = PEM_CRL.exec(input.toString('latin1'));
    if (!m) return null;
    return Buffer.from((m[1] ?? '').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  }
  return input.length > 0 && input[0] === TAG.SEQUENCE ? input : null;
}

export function parseCrl(input: Buffer): ParsedCrl {
  const der = crlDer(input);
  if (der === null || der.length === 0) throw new CrlError('not a CRL (neither PEM "X509 CRL" nor DER)');
  try {
    return parseDer(der);
  } catch (e) {
    if (e instanceof DerError) throw new CrlError(`malformed CRL: ${e.message}`);
    throw e;
  }
}

export function algorithmId(buf: Uint8Array, t: Tlv): AlgorithmId {
  if (t.tag !== TAG.SEQUENCE) throw new DerError('AlgorithmIdentifier is not a SEQUENCE');
  const [oid, params] = children(buf, t);
  if (!oid || oid.tag !== TAG.OID) throw new DerError('AlgorithmIdentifier without OID');
  return { oid: decodeOid(content(buf, oid)), params: params && params.tag !== TAG.NULL ? Buffer.from(whole(buf, params)) : null };
}

function parseDer(der: Buffer): ParsedCrl {
  const top = expect(der, 0, TAG.SEQUENCE, 'CertificateList');
  if (top.end !== der.length) throw new CrlError('trailing bytes after the CRL (a half-written or concatenated file?)');
  const [tbsT, algT, sigT, extra] = children(der, top);
  if (!tbsT || !algT || !sigT || extra) throw new CrlError('CertificateList must have exactly tbsCertList, signatureAlgorithm, signature');
  if (tbsT.tag !== TAG.SEQUENCE || sigT.tag !== TAG.BIT_STRING) throw new CrlError('malformed CertificateList');
  const algorithm = algorithmId(der, algT);
  const sigBytes = content(der, sigT);
  if (sigBytes[0] !== 0) throw new CrlError('signature BIT STRING with unused bits');

  let off = tbsT.contentStart;
  let t = readTlv(der, off, tbsT.end);
  if (t.tag === TAG.INTEGER) {
    const v = integerBig(content(der, t));
    if (v !== 1n) throw new CrlError(`unsupported CRL version ${v + 1n}`);
    off = t.end;
    t = readTlv(der, off, tbsT.end);
  }
  const innerAlg = algorithmId(der, t);
  if (innerAlg.oid !== algorithm.oid || !sameBytes(innerAlg.params, algorithm.params)) {
    throw new CrlError('tbsCertList.signature differs from signatureAlgorithm');
  }
  const issuerT = readTlv(der, t.end, tbsT.end);
  if (issuerT.tag !== TAG.SEQUENCE) throw new CrlError('issuer is not a Name');
  const thisT = readTlv(der, issuerT.end, tbsT.end);
  const thisUpdate = decodeTime(der, thisT);
  off = thisT.end;
  let nextUpdate: Date | null = null;
  const revoked = new RevokedList();
  let number: bigint | null = null;
  while (off < tbsT.end) {
    t = readTlv(der, off, tbsT.end);
    off = t.end;
    if (t.tag === TAG.UTC_TIME || t.tag === TAG.GENERALIZED_TIME) {
      if (nextUpdate !== null || revoked.size > 0) throw new CrlError('nextUpdate out of place');
      nextUpdate = decodeTime(der, t);
    } else if (t.tag === TAG.SEQUENCE) {
      readRevoked(der, t, revoked);
    } else if (t.tag === 0xa0) {
      const exts = readTlv(der, t.contentStart, t.end);
      for (const ext of children(der, exts)) {
        const e = extension(der, ext);
        if (e.oid === OID.crlNumber) number = intContent(e.value);
        else if (e.oid === OID.deltaCrlIndicator) throw new CrlError('a delta CRL cannot be used as a full CRL');
        else if (e.oid === OID.issuingDistributionPoint) checkIdp(e.value);
        else if (e.critical && e.oid !== OID.authorityKeyIdentifier && e.oid !== OID.authorityInfoAccess) {
          throw new CrlError(`unsupported critical CRL extension ${e.oid}`);
        }
      }
    } else throw new CrlError(`unexpected field (tag 0x${t.tag.toString(16)}) in tbsCertList`);
  }
  return {
    issuerDer: Buffer.from(whole(der, issuerT)),
    thisUpdate,
    nextUpdate,
    number,
    revoked,
    tbs: Buffer.from(whole(der, tbsT)),
    algorithm,
    signature: Buffer.from(sigBytes.subarray(1)),
    digest: createHash('sha256').update(der).digest('hex'),
    size: der.length,
  };
}

function intContent(value: Buffer): bigint {
  const i = expect(value, 0, TAG.INTEGER, 'CRL Number');
  const v = integerBig(content(value, i));
  if (v < 0n) throw new CrlError('negative CRL Number');
  return v;
}

// Entry extension OIDs as their DER content bytes: compared in place, no decoding per entry.
const ENTRY_OID = { reasonCode: [0x55, 0x1d, 0x15], invalidityDate: [0x55, 0x1d, 0x18], certificateIssuer: [0x55, 0x1d, 0x1d] } as const;
const oidIs = (der: Uint8Array, t: Tlv, oid: readonly number[]) =>
  t.end - t.contentStart === oid.length && oid.every((b, i) => der[t.contentStart + i] === b);

function readRevoked(der: Buffer, list: Tlv, out: RevokedList): void {
  for (let off = list.contentStart; off < list.end; ) {
    const entry = readTlv(der, off, list.end);
    off = entry.end;
    if (entry.tag !== TAG.SEQUENCE) throw new CrlError('revoked entry is not a SEQUENCE');
    const serialT = expect(der, entry.contentStart, TAG.INTEGER, 'userCertificate', entry.end);
    const dateT = readTlv(der, serialT.end, entry.end);
    const revokedAt = decodeTimeMs(der, dateT);
    let reason: number | null = null;
    if (dateT.end < entry.end) {
      const exts = expect(der, dateT.end, TAG.SEQUENCE, 'crlEntryExtensions', entry.end);
      for (let eo = exts.contentStart; eo < exts.end; ) {
        const ext = expect(der, eo, TAG.SEQUENCE, 'Extension', exts.end);
        eo = ext.end;
        const oidT = expect(der, ext.contentStart, TAG.OID, 'extnID', ext.end);
        let next = readTlv(der, oidT.end, ext.end);
        let critical = false;
        if (next.tag === 0x01) {
          critical = der[next.contentStart] !== 0;
          next = readTlv(der, next.end, ext.end);
        }
        if (next.tag !== TAG.OCTET_STRING) throw new CrlError('CRL entry extension without value');
        if (oidIs(der, oidT, ENTRY_OID.reasonCode)) {
          const r = expect(der, next.contentStart, TAG.ENUMERATED, 'reasonCode', next.end);
          if (r.end - r.contentStart !== 1) throw new CrlError('reasonCode out of range');
          reason = der[r.contentStart]!;
        } else if (oidIs(der, oidT, ENTRY_OID.certificateIssuer)) throw new CrlError('indirect CRLs (certificateIssuer entries) are not supported');
        else if (critical && !oidIs(der, oidT, ENTRY_OID.invalidityDate)) throw new CrlError(`unsupported critical CRL entry extension ${decodeOid(content(der, oidT))}`);
      }
    }
    // removeFromCRL appears only in delta CRLs; in a full CRL it means "not revoked".
    if (reason === REMOVE_FROM_CRL) continue;
    out.add(integerHex(der, serialT.contentStart, serialT.end), revokedAt, reason);
  }
}

function extension(der: Buffer, ext: Tlv): { oid: string; critical: boolean; value: Buffer } {
  const parts = children(der, ext);
  const oidT = parts[0];
  if (!oidT || oidT.tag !== TAG.OID) throw new DerError('extension without OID');
  let critical = false;
  let valueT = parts[1];
  if (valueT?.tag === 0x01) {
    critical = der[valueT.contentStart] !== 0;
    valueT = parts[2];
  }
  if (!valueT || valueT.tag !== TAG.OCTET_STRING) throw new DerError('extension without value');
  return { oid: decodeOid(content(der, oidT)), critical, value: Buffer.from(content(der, valueT)) };
}

// issuingDistributionPoint: a full CRL may name its distribution point ([0]); the scoping flags
// (only user/CA/attribute certificates, some reasons, indirect) would make it a partial CRL.
function checkIdp(value: Buffer): void {
  const seq = expect(value, 0, TAG.SEQUENCE, 'issuingDistributionPoint');
  for (const f of children(value, seq)) {
    if (f.tag !== 0xa0) throw new CrlError('partitioned CRLs (issuingDistributionPoint with scope flags) are not supported');
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  if (a === null || b === null) return a === b;
  return a.equals(b);
}

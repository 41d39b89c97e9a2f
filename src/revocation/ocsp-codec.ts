// OCSP (RFC 6960, lightweight profile RFC 9919) as pure functions: build a request for one
// certificate, and turn a response into a verified answer or a reason it cannot be trusted.
// No sockets, no clocks: `now` is an argument.
import { X509Certificate, createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus, id_pkix_ocsp_basic, id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import type { CaInfo } from './ca-info.js';
import { TAG, encodeIntegerHex, encodeOid, integerHex, readTlv, tlv } from './der.js';
import { verifySignature } from './signature.js';

const SHA1 = '1.3.14.3.2.26';
const HASHES: Readonly<Record<string, string>> = {
  [SHA1]: 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** The thisUpdate of a response may be this far ahead of our clock (clocks drift a little). */
export const OCSP_FUTURE_SKEW_MS = 60_000;

/**
 * DER OCSPRequest for one certificate. CertID hashes are SHA-1, as RFC 9919 (and every responder)
 * expects; with a nonce the request carries the RFC 8954 nonce extension.
 */
export function encodeOcspRequest(issuer: CaInfo, serial: string, nonce?: Buffer): Buffer {
  const certId = tlv(
    TAG.SEQUENCE,
    tlv(TAG.SEQUENCE, encodeOid(SHA1), Buffer.from([TAG.NULL, 0])),
    tlv(TAG.OCTET_STRING, issuer.nameHashSha1),
    tlv(TAG.OCTET_STRING, issuer.keyHashSha1),
    encodeIntegerHex(serial),
  );
  const requestList = tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, certId));
  const exts = nonce
    ? [tlv(0xa2, tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, encodeOid(id_pkix_ocsp_nonce), tlv(TAG.OCTET_STRING, tlv(TAG.OCTET_STRING, nonce)))))]
    : [];
  return tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, requestList, ...exts));
}

export type OcspStatus = 'good' | 'revoked' | 'unknown';

export interface OcspAnswer {
  status: OcspStatus;
  thisUpdate: Date;
  nextUpdate: Date | null;
  producedAt: Date;
  revokedAt: Date | null;
  /** CRLReason code of a revoked answer, when given. */
  reason: number | null;
  /** Subject of the certificate that signed the response (the CA or its delegated responder). */
  signer: string;
  /** Whether the response echoed the nonce we sent (null when we sent none). */
  nonceEchoed: boolean | null;
}

/** Why a response is not an answer: the responder's own error status, or a check that failed. */
export type OcspFailure = { kind: 'error_status'; status: string } | { kind: 'invalid'; why: string };

export type OcspResult = { ok: true; answer: OcspAnswer } | { ok: false; failure: OcspFailure };

export interface VerifyInput {
  issuer: CaInfo;
  serial: string;
  now: Date;
  nonce?: Buffer | undefined;
}

const invalid = (why: string): OcspResult => ({ ok: false, failure: { kind: 'invalid', why } });

/** Decodes and verifies a DER OCSPResponse for `serial` issued by `issuer`. */
export function verifyOcspResponse(der: Buffer, input: VerifyInput): OcspResult {
  let resp: OCSPResponse;
  try {
    const top = readTlv(der, 0);
    if (top.tag !== TAG.SEQUENCE || top.end !== der.length) return invalid('not a DER OCSPResponse');
    resp = AsnConvert.parse(der, OCSPResponse);
  } catch (e) {
    return invalid(`malformed response: ${(e as Error).message}`);
  }
  if (resp.responseStatus !== OCSPResponseStatus.successful) {
    // Error responses are unsigned (RFC 6960 2.3): they say only "no answer now".
    return { ok: false, failure: { kind: 'error_status', status: OCSPResponseStatus[resp.responseStatus] ?? String(resp.responseStatus) } };
  }
  if (!resp.responseBytes) return invalid('successful response without responseBytes');
  if (resp.responseBytes.responseType !== id_pkix_ocsp_basic) return invalid(`unsupported response type ${resp.responseBytes.responseType}`);
  let basic: BasicOCSPResponse;
  try {
    basic = AsnConvert.parse(resp.responseBytes.response.buffer, BasicOCSPResponse);
  } catch (e) {
    return invalid(`malformed BasicOCSPResponse: ${(e as Error).message}`);
  }
  if (!basic.tbsResponseDataRaw) return invalid('response data bytes missing');

  // Who signed: the CA itself, or a responder certificate the CA issued directly for OCSP signing.
  const signer = findSigner(basic, input);
  if (typeof signer === 'string') return invalid(signer);
  const alg = { oid: basic.signatureAlgorithm.algorithm, params: basic.signatureAlgorithm.parameters ? Buffer.from(basic.signatureAlgorithm.parameters) : null };
  const sig = verifySignature(new Uint8Array(basic.tbsResponseDataRaw), alg, new Uint8Array(basic.signature), signer.key);
  if (!sig.ok) return invalid(`response signature: ${sig.why}`);

  const data = basic.tbsResponseData;
  const single = data.responses.find((r) => certIdMatches(r.certID, input));
  if (!single) return invalid('no response for the requested certificate (CertID mismatch)');
  const t = input.now.getTime();
  if (single.thisUpdate.getTime() > t + OCSP_FUTURE_SKEW_MS) return invalid(`thisUpdate ${single.thisUpdate.toISOString()} is in the future`);
  if (single.nextUpdate && single.nextUpdate.getTime() < t) return invalid(`nextUpdate ${single.nextUpdate.toISOString()} has passed`);

  let nonceEchoed: boolean | null = null;
  if (input.nonce) {
    const ext = data.responseExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
    if (ext) {
      const v = Buffer.from(ext.extnValue.buffer);
      const inner = v[0] === TAG.OCTET_STRING ? v.subarray(2) : v;
      if (!inner.equals(input.nonce) && !v.equals(input.nonce)) return invalid('nonce in the response does not match the request');
      nonceEchoed = true;
    } else nonceEchoed = false;
  }

  const cs = single.certStatus;
  let status: OcspStatus;
  if (cs.revoked) status = 'revoked';
  else if (cs.good === null) status = 'good';
  else status = 'unknown';
  return {
    ok: true,
    answer: {
      status,
      thisUpdate: single.thisUpdate,
      nextUpdate: single.nextUpdate ?? null,
      producedAt: data.producedAt,
      revokedAt: cs.revoked?.revocationTime ?? null,
      reason: cs.revoked?.revocationReason?.reason ?? null,
      signer: signer.subject,
      nonceEchoed,
    },
  };
}

interface Signer {
  key: X509Certificate['publicKey'];
  subject: string;
}

function findSigner(basic: BasicOCSPResponse, input: VerifyInput): Signer | string {
  const rid = basic.tbsResponseData.responderID;
  const byName = rid.byName ? Buffer.from(AsnConvert.serialize(rid.byName)) : null;
  const byKey = rid.byKey ? Buffer.from(rid.byKey.buffer) : null;
  const names = (subjectDer: Buffer, keyBits: Buffer) =>
    (byName !== null && byName.equals(subjectDer)) || (byKey !== null && byKey.equals(createHash('sha1').update(keyBits).digest()));

  const ca = input.issuer;
  if (names(ca.subjectDer, ca.keyBits)) return { key: ca.key, subject: ca.subject };

  for (const c of basic.certs ?? []) {
    let der: Buffer;
    let cert: X509Certificate;
    try {
      der = Buffer.from(AsnConvert.serialize(c));
      cert = new X509Certificate(der);
    } catch {
      continue;
    }
    const spki = c.tbsCertificate.subjectPublicKeyInfo;
    const subjectDer = Buffer.from(AsnConvert.serialize(c.tbsCertificate.subject));
    if (!names(subjectDer, Buffer.from(spki.subjectPublicKey))) continue;
    if (!cert.checkIssued(ca.x509) || !cert.verify(ca.key)) return `responder certificate ${cert.subject.replace(/\n/g, ', ')} is not issued by ${ca.subject}`;
    const eku = cert.keyUsage as string[] | undefined;
    if (!eku?.includes(OCSP_SIGNING)) return `responder certificate ${cert.subject.replace(/\n/g, ', ')} lacks the OCSPSigning extended key usage`;
    const t = input.now.getTime();
    if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) return 'responder certificate is outside its validity period';
    return { key: cert.publicKey, subject: cert.subject.split('\n').join(', ') };
  }
  return `response signed by a responder that is neither ${ca.subject} nor a delegated responder it issued`;
}

function certIdMatches(id: BasicOCSPResponse['tbsResponseData']['responses'][number]['certID'], input: VerifyInput): boolean {
  const hash = HASHES[id.hashAlgorithm.algorithm];
  if (!hash) return false;
  if (integerHex(new Uint8Array(id.serialNumber)) !== input.serial) return false;
  const nameHash = hash === 'sha1' ? input.issuer.nameHashSha1 : createHash(hash).update(input.issuer.subjectDer).digest();
  const keyHash = hash === 'sha1' ? input.issuer.keyHashSha1 : createHash(hash).update(input.issuer.keyBits).digest();
  return Buffer.from(id.issuerNameHash.buffer).equals(nameHash) && Buffer.from(id.issuerKeyHash.buffer).equals(keyHash);
}

/** The GET form (RFC 6960 A.1): base64 of the DER, URL-encoded, appended to the responder URL. */
export function ocspGetUrl(base: string, request: Buffer): string {
  const enc = encodeURIComponent(request.toString('base64'));
  return base.endsWith('/') ? `${base}${enc}` : `${base}/${enc}`;
}

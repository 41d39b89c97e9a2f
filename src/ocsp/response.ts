// Encoding OCSP responses (RFC 6960 4.2): the unsigned error forms, and a BasicOCSPResponse signed
// with the delegated responder's key (node:crypto). The signed bytes are exactly the ResponseData
// DER placed in the response, and the responder certificate travels in `certs` so clients can
// check it chains to the CA and carries id-kp-OCSPSigning.
import { type KeyObject, sign } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  type CertID,
  CertStatus,
  KeyHash,
  ResponderID,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_extended_revoke,
  id_pkix_ocsp_nonce,
} from '@peculiar/asn1-ocsp';
import { CRLReason, Extension } from '@peculiar/asn1-x509';
import { TAG, encodeOid, tlv } from '../revocation/der.js';

/** OCSPResponseStatus values (RFC 6960 4.2.1). */
export const RESPONSE_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;
export type ErrorStatus = Exclude<keyof typeof RESPONSE_STATUS, 'successful'>;

export type SingleStatus = { kind: 'good' } | { kind: 'revoked'; at: Date; reason: number } | { kind: 'unknown' };

export interface SingleAnswer {
  certId: CertID;
  status: SingleStatus;
  thisUpdate: Date;
  nextUpdate: Date;
}

export interface ResponseSigner {
  /** DER of the responder certificate. */
  certificate: Buffer;
  key: KeyObject;
  /** SHA-1 of the responder's public key bits: the byKey ResponderID. */
  keyHash: Buffer;
  /** Signature algorithm: hash name and the AlgorithmIdentifier DER. */
  hash: 'sha256';
  algorithmDer: Buffer;
}

export interface ResponseExtras {
  /** The request's nonce extnValue, echoed unchanged. */
  nonce: Buffer | null;
  /** RFC 6960 4.4.8: `revoked` is also used for certificates never issued. */
  extendedRevoke: boolean;
}

const enumerated = (n: number) => tlv(TAG.ENUMERATED, Buffer.from([n]));

export function encodeErrorResponse(status: ErrorStatus): Buffer {
  // Error responses carry no responseBytes and no signature (RFC 6960 2.3).
  return tlv(TAG.SEQUENCE, enumerated(RESPONSE_STATUS[status]));
}

/** GeneralizedTime in DER has whole seconds only. */
export const wholeSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

function certStatus(s: SingleStatus): CertStatus {
  switch (s.kind) {
    case 'good':
      return new CertStatus({ good: null });
    case 'unknown':
      return new CertStatus({ unknown: null });
    case 'revoked':
      return new CertStatus({ revoked: new RevokedInfo({ revocationTime: wholeSeconds(s.at), revocationReason: new CRLReason(s.reason) }) });
  }
}

export function encodeSignedResponse(signer: ResponseSigner, answers: SingleAnswer[], producedAt: Date, extras: ResponseExtras): Buffer {
  const extensions: Extension[] = [];
  if (extras.nonce) extensions.push(new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(extras.nonce) }));
  if (extras.extendedRevoke) extensions.push(new Extension({ extnID: id_pkix_ocsp_extended_revoke, critical: false, extnValue: new OctetString(Buffer.from([TAG.NULL, 0])) }));
  const data = new ResponseData({
    responderID: new ResponderID({ byKey: new KeyHash(signer.keyHash) }),
    producedAt: wholeSeconds(producedAt),
    responses: answers.map(
      (a) => new SingleResponse({ certID: a.certId, certStatus: certStatus(a.status), thisUpdate: wholeSeconds(a.thisUpdate), nextUpdate: wholeSeconds(a.nextUpdate) }),
    ),
    ...(extensions.length > 0 ? { responseExtensions: extensions } : {}),
  });
  const tbs = Buffer.from(AsnConvert.serialize(data));
  const signature = sign(signer.hash, tbs, signer.key);
  const basic = tlv(
    TAG.SEQUENCE,
    tbs,
    signer.algorithmDer,
    tlv(TAG.BIT_STRING, Buffer.from([0]), signature),
    tlv(0xa0, tlv(TAG.SEQUENCE, signer.certificate)),
  );
  return tlv(TAG.SEQUENCE, enumerated(RESPONSE_STATUS.successful), tlv(0xa0, tlv(TAG.SEQUENCE, encodeOid(id_pkix_ocsp_basic), tlv(TAG.OCTET_STRING, basic))));
}

/** sha256WithRSAEncryption (NULL parameters) or ecdsa-with-SHA256 (none), by the key's type. */
export function signatureAlgorithmDer(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'rsa') return tlv(TAG.SEQUENCE, encodeOid('1.2.840.113549.1.1.11'), Buffer.from([TAG.NULL, 0]));
  if (key.asymmetricKeyType === 'ec') return tlv(TAG.SEQUENCE, encodeOid('1.2.840.10045.4.3.2'));
  throw new Error(`OCSP responder keys must be RSA or EC, not ${key.asymmetricKeyType ?? 'unknown'}`);
}

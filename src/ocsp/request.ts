// Decoding an OCSPRequest (RFC 6960 4.1) into what the responder needs: one entry per CertID, and
// the nonce to echo. Anything malformed is one value ({ ok: false }), answered malformedRequest.
import { AsnConvert } from '@peculiar/asn1-schema';
import { type CertID, OCSPRequest, id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import { TAG, integerHex, readTlv } from '../revocation/der.js';

/** More CertIDs than this in one request is refused: RFC 9919 clients send one. */
export const MAX_REQUESTS = 16;

export interface SingleRequest {
  certId: CertID;
  hashOid: string;
  nameHash: Buffer;
  keyHash: Buffer;
  /** certgate's serial form: uppercase hex, minimal bytes. */
  serial: string;
}

export type ParsedRequest =
  | { ok: true; requests: SingleRequest[]; /** The nonce extension's extnValue, echoed as is. */ nonce: Buffer | null }
  | { ok: false; why: string };

const fail = (why: string): ParsedRequest => ({ ok: false, why });

export function parseOcspRequest(der: Buffer): ParsedRequest {
  let req: OCSPRequest;
  try {
    const top = readTlv(der, 0);
    if (top.tag !== TAG.SEQUENCE || top.end !== der.length) return fail('not one DER SEQUENCE');
    req = AsnConvert.parse(der, OCSPRequest);
  } catch (e) {
    return fail(`does not decode as an OCSPRequest: ${(e as Error).message}`);
  }
  const list = req.tbsRequest.requestList;
  if (list.length === 0) return fail('no certificate asked about');
  if (list.length > MAX_REQUESTS) return fail(`more than ${MAX_REQUESTS} certificates in one request`);
  const requests: SingleRequest[] = [];
  for (const r of list) {
    const id = r.reqCert;
    const serialBytes = new Uint8Array(id.serialNumber);
    if (serialBytes.length === 0 || serialBytes.length > 20 + 1) return fail('serial number of a CertID is empty or longer than 20 octets');
    requests.push({
      certId: id,
      hashOid: id.hashAlgorithm.algorithm,
      nameHash: Buffer.from(id.issuerNameHash.buffer),
      keyHash: Buffer.from(id.issuerKeyHash.buffer),
      serial: integerHex(serialBytes),
    });
  }
  let nonce: Buffer | null = null;
  const ext = req.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  if (ext) {
    nonce = Buffer.from(ext.extnValue.buffer);
    // RFC 8954: the nonce is an OCTET STRING of 1..32 octets; 0 or more than 32 is malformedRequest.
    const length = nonceLength(nonce);
    if (length < 1 || length > 32) return fail(`nonce of ${length} octets (RFC 8954 allows 1 to 32)`);
  }
  return { ok: true, requests, nonce };
}

function nonceLength(extnValue: Buffer): number {
  try {
    const t = readTlv(extnValue, 0);
    if (t.tag === TAG.OCTET_STRING && t.end === extnValue.length) return t.end - t.contentStart;
  } catch {
    // Some old clients put the raw bytes there: count those.
  }
  return extnValue.length;
}

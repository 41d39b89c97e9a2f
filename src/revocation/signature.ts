// Verifies the signature on a CRL's tbsCertList or an OCSP response's tbsResponseData with
// node:crypto (synchronous, OpenSSL underneath). The same allow-list as certificates below the
// anchor: SHA-2 RSA (PKCS#1 v1.5 and PSS), ECDSA, EdDSA; MD5, SHA-1 and unknown algorithms fail.
import { type KeyObject, constants, verify } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';

export interface AlgorithmId {
  oid: string;
  /** DER of the parameters, when present. */
  params: Buffer | null;
}

const HASH_OF: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const EDDSA = new Set(['1.3.101.112', '1.3.101.113']);
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const PSS_HASHES: Readonly<Record<string, string>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export type SignatureCheck = { ok: true } | { ok: false; why: string };

export function verifySignature(tbs: Uint8Array, alg: AlgorithmId, signature: Uint8Array, key: KeyObject): SignatureCheck {
  try {
    let good: boolean;
    if (EDDSA.has(alg.oid)) good = verify(null, tbs, key, signature);
    else if (alg.oid === RSASSA_PSS) {
      if (!alg.params) return { ok: false, why: 'RSASSA-PSS without parameters (SHA-1) is not accepted' };
      const p = AsnConvert.parse(alg.params, RsaSaPssParams);
      const hash = PSS_HASHES[p.hashAlgorithm.algorithm];
      if (!hash) return { ok: false, why: `RSASSA-PSS with hash ${p.hashAlgorithm.algorithm} is not accepted` };
      good = verify(hash, tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength }, signature);
    } else {
      const hash = HASH_OF[alg.oid];
      if (!hash) return { ok: false, why: `signature algorithm ${alg.oid} is not accepted (weak or unknown)` };
      good = verify(hash, tbs, alg.oid.startsWith('1.2.840.10045') ? { key, dsaEncoding: 'der' } : key, signature);
    }
    return good ? { ok: true } : { ok: false, why: 'signature does not verify' };
  } catch (e) {
    // A key of the wrong type for the algorithm, malformed parameters: not a valid signature.
    return { ok: false, why: `signature check failed: ${(e as Error).message}` };
  }
}

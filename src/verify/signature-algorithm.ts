import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';

// Signature algorithms accepted below a trust anchor. An allow-list, so MD5, SHA-1 and anything
// unknown are refused alike.
const STRONG = new Set([
  '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13', // sha512WithRSAEncryption
  '1.2.840.10045.4.3.2', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4', // ecdsa-with-SHA512
  '1.3.101.112', // Ed25519
  '1.3.101.113', // Ed448
]);
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const STRONG_HASHES = new Set([
  '2.16.840.1.101.3.4.2.1', // SHA-256
  '2.16.840.1.101.3.4.2.2', // SHA-384
  '2.16.840.1.101.3.4.2.3', // SHA-512
]);

/** The certificate's signature algorithm OID and whether it is strong enough. */
export function signatureAlgorithm(der: Buffer): { oid: string; strong: boolean } {
  const cert = AsnConvert.parse(der, Certificate);
  const alg = cert.signatureAlgorithm;
  if (alg.algorithm === RSASSA_PSS) {
    // PSS names its hash in the parameters; absent parameters mean SHA-1 (RFC 4055).
    if (!alg.parameters) return { oid: alg.algorithm, strong: false };
    const params = AsnConvert.parse(alg.parameters, RsaSaPssParams);
    return { oid: alg.algorithm, strong: STRONG_HASHES.has(params.hashAlgorithm.algorithm) };
  }
  return { oid: alg.algorithm, strong: STRONG.has(alg.algorithm) };
}

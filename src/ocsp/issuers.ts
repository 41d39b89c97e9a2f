// The CAs the responder answers for, found by the CertID a client sends: issuerNameHash and
// issuerKeyHash under the request's hash algorithm (RFC 6960 4.1.1). Hashes are computed once per
// CA and algorithm. An issuer not in here gets `unauthorized`.
import { createHash } from 'node:crypto';
import type { CaInfo } from '../revocation/ca-info.js';

/** Hash algorithms a CertID may use. SHA-1 is what RFC 9919 clients send; the rest are allowed. */
export const CERT_ID_HASHES: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

interface Hashed {
  ca: CaInfo;
  name: Buffer;
  key: Buffer;
}

export class IssuerIndex {
  private readonly byAlg = new Map<string, Hashed[]>();

  constructor(readonly cas: readonly CaInfo[]) {
    for (const [oid, hash] of Object.entries(CERT_ID_HASHES)) {
      this.byAlg.set(
        oid,
        cas.map((ca) => ({ ca, name: createHash(hash).update(ca.subjectDer).digest(), key: createHash(hash).update(ca.keyBits).digest() })),
      );
    }
  }

  /** The CA a CertID names, or undefined (unknown issuer or hash algorithm). */
  find(hashOid: string, nameHash: Buffer, keyHash: Buffer): CaInfo | undefined {
    return this.byAlg.get(hashOid)?.find((h) => h.name.equals(nameHash) && h.key.equals(keyHash))?.ca;
  }
}

import { readFileSync } from 'node:fs';
import { constants } from 'node:crypto';
import tls from 'node:tls';

export interface TlsSettings {
  certificate: string;
  privateKey: string;
  minVersion: '1.2' | '1.3';
}

/**
 * One SecureContext for every conversation: key files are read once here (at start and reload),
 * never per login. The client certificate is requested but NOT verified by OpenSSL: certgate's own
 * verify/ layer decides (one decision pipeline), and OpenSSL only proves possession of the key.
 */
export function makeServerContext(s: TlsSettings): tls.SecureContext {
  return tls.createSecureContext({
    cert: readFileSync(s.certificate),
    key: readFileSync(s.privateKey),
    minVersion: s.minVersion === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    // Node's default suites are modern (AEAD, forward secrecy first); never weaker than them.
    honorCipherOrder: true,
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_NO_COMPRESSION,
  });
}

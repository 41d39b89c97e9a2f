import { readFileSync } from 'node:fs';
import { constants, randomBytes } from 'node:crypto';
import tls from 'node:tls';

export interface TlsSettings {
  certificate: string;
  privateKey: string;
  minVersion: '1.2' | '1.3';
  /** How long a session may be resumed (TLS 1.2 tickets, TLS 1.3 tickets); 0 turns resumption off. */
  sessionLifetimeSeconds: number;
  /** Who runs TLS 1.3 handshakes: certgate's own server (tls13/, the default) or OpenSSL through node:tls. */
  tls13Server?: 'certgate' | 'openssl';
}

/** Mozilla's "intermediate" list (2024): every TLS 1.2 supplicant of the last decade has one of these. */
export const MODERN_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
].join(':');

/** 48 bytes: the ticket name, HMAC and AES keys OpenSSL needs. Shared by every worker. */
export const newTicketKeys = (): Buffer => randomBytes(48);

/**
 * One SecureContext for every conversation: key files are read once here (at start and reload),
 * never per login. The client certificate is requested but NOT verified by OpenSSL: certgate's own
 * verify/ layer decides (one decision pipeline), and OpenSSL only proves possession of the key.
 */
export function makeServerContext(s: TlsSettings, ticketKeys: Buffer = newTicketKeys()): tls.SecureContext {
  const resumption = s.sessionLifetimeSeconds > 0;
  return tls.createSecureContext({
    cert: readFileSync(s.certificate),
    key: readFileSync(s.privateKey),
    minVersion: s.minVersion === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    // Node's default list ends in HIGH, which lets in RSA key exchange and CBC suites; only AEAD
    // suites with forward secrecy here (TLS 1.3's three, then ECDHE/DHE with GCM or ChaCha20).
    ciphers: MODERN_CIPHERS,
    honorCipherOrder: true,
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_NO_COMPRESSION | (resumption ? 0 : constants.SSL_OP_NO_TICKET),
    // Stateless tickets (TLS 1.2 and 1.3): nothing to store per session, and every worker can
    // resume a session another one started because they share the keys.
    ticketKeys,
    sessionTimeout: Math.max(1, s.sessionLifetimeSeconds),
    // With a client certificate requested, OpenSSL refuses to resume without a session id context
    // (SSL_R_SESSION_ID_CONTEXT_UNINITIALIZED, a failed handshake). tls.Server sets one; we must too.
    sessionIdContext: 'certgate-eap-tls',
  });
}

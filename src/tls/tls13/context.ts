// What certgate's TLS 1.3 server needs for every handshake, made once per configuration: the
// certificate chain and key, the ticket sealer, a cache of client public keys, and the choice of
// parameters for a ClientHello, or the answer that OpenSSL (node:tls) should take it instead.
import { type KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { parseCertificates } from '../../verify/cert-facts.js';
import type { TlsSettings } from '../context.js';
import { GROUPS } from './key-exchange.js';
import { type ClientHello, HandshakeReader, HandshakeType, PSK_DHE_KE, TLS13, parseClientHello } from './messages.js';
import { CIPHER_SUITES, type CipherSuite, ContentType, splitRecords } from './records.js';
import { schemesForKey } from './signature-schemes.js';
import { type TicketState, TicketSealer } from './tickets.js';
import { TlsFault, fault } from './wire.js';

/** The parameters of one handshake. */
export interface Tls13Plan {
  hello: ClientHello;
  suite: CipherSuite;
  group: number;
  peerShare: Buffer;
  scheme: number;
  /** A ticket of ours to resume, and which of the client's identities it was. */
  resume: { index: number; state: TicketState } | undefined;
}

/** Client public keys by certificate: members log in again and again with the same one. */
export const PEER_KEY_CACHE_MAX = 10_000;
/** RFC 8446 4.6.1: no ticket lives longer than seven days. */
const MAX_TICKET_LIFETIME = 604_800;
const MAX_CLIENT_HELLO = 65_536;

// Hybrid post-quantum groups that OpenSSL 3.5+ prefers by default. X25519MLKEM768 is answered here
// where the runtime has ML-KEM (key-exchange.ts); a client sharing only one of the others goes to
// OpenSSL so that it keeps that protection.
const PQ_GROUPS = new Set([0x11eb, 0x11ec, 0x11ed]);
const opensslHasPq = (): boolean => {
  const [major = 0, minor = 0] = process.versions.openssl.split('.').map(Number);
  return major > 3 || (major === 3 && minor >= 5);
};

/** Why a ClientHello goes to OpenSSL: a label for metrics, so operators see what their clients need. */
export type Fallback = 'not_tls13' | 'unreadable' | 'early_data' | 'no_common_suite' | 'no_key_share' | 'pq_group' | 'no_common_signature' | 'openssl_ticket';

/** Per thread, kept across reloads like the chain cache (verify/chain.ts): keys do not change with the configuration. */
const peerKeys = new LRUCache<string, KeyObject>({ max: PEER_KEY_CACHE_MAX });

export class Tls13Context {
  readonly chain: Buffer[];
  readonly key: KeyObject;
  readonly tickets: TicketSealer | undefined;
  readonly lifetimeSeconds: number;
  private readonly schemes: number[];
  /** OpenSSL's ticket key name (the first 16 bytes of the keys node:tls is given): its tickets resume there. */
  private readonly opensslTicketName: Buffer;
  private readonly pq = opensslHasPq();

  constructor(
    settings: TlsSettings,
    ticketKeys: Buffer,
    /** Wall clock (epoch ms): ticket ages. */
    readonly now: () => number = Date.now,
  ) {
    this.chain = parseCertificates(readFileSync(settings.certificate));
    this.key = createPrivateKey(readFileSync(settings.privateKey));
    this.schemes = schemesForKey(this.key);
    this.lifetimeSeconds = Math.min(settings.sessionLifetimeSeconds, MAX_TICKET_LIFETIME);
    this.tickets = this.lifetimeSeconds > 0 ? new TicketSealer(ticketKeys) : undefined;
    this.opensslTicketName = ticketKeys.subarray(0, 16);
  }

  get peerKeysCached(): number {
    return peerKeys.size;
  }

  /** The plan for a peer's first message, or why OpenSSL takes it. */
  plan(records: Buffer): Tls13Plan | Fallback {
    let hello: ClientHello;
    try {
      const h = readClientHello(records);
      if (!h) return 'unreadable';
      hello = h;
    } catch (e) {
      if (e instanceof TlsFault) return 'unreadable'; // OpenSSL answers it with the right alert
      throw e;
    }
    if (!hello.supportedVersions.includes(TLS13)) return 'not_tls13';
    // 0-RTT is never accepted; OpenSSL knows how to skip the early data a client sends anyway.
    if (hello.earlyData) return 'early_data';
    const resume = this.resumable(hello);
    if (resume === 'openssl') return 'openssl_ticket';
    const suite = resume ? CIPHER_SUITES.find((s) => s.id === resume.state.suite)! : CIPHER_SUITES.find((s) => hello.cipherSuites.includes(s.id));
    if (!suite) return 'no_common_suite';
    // A post-quantum share we cannot answer but OpenSSL would choose: OpenSSL takes the client.
    if (this.pq && hello.keyShares.some((k) => PQ_GROUPS.has(k.group) && !GROUPS.includes(k.group))) return 'pq_group';
    // A share counts only for a group the client also lists (RFC 8446 4.2.8); no share for a group
    // of ours means a HelloRetryRequest, and no supported_groups a missing_extension: OpenSSL's.
    const group = GROUPS.find((g) => hello.groups.includes(g) && hello.keyShares.some((k) => k.group === g));
    if (group === undefined) return 'no_key_share';
    const scheme = this.schemes.find((s) => hello.signatureSchemes.includes(s));
    if (scheme === undefined) return 'no_common_signature';
    return { hello, suite, group, peerShare: hello.keyShares.find((k) => k.group === group)!.key, scheme, resume: resume || undefined };
  }

  /** The client's certificate key, parsed once per certificate (`sha256`: of `der`); bad_certificate when it does not parse. */
  peerKey(der: Buffer, sha256: Buffer): KeyObject {
    const id = sha256.toString('base64');
    let key = peerKeys.get(id);
    if (!key) {
      try {
        key = new X509Certificate(der).publicKey;
      } catch {
        return fault('bad_certificate', 'the client certificate does not parse');
      }
      peerKeys.set(id, key);
    }
    return key;
  }

  /**
   * The first offered identity that is a live ticket of ours for a suite the client still offers
   * (its binder is checked by the handshake); 'openssl' when the first one is OpenSSL's.
   */
  private resumable(hello: ClientHello): { index: number; state: TicketState } | 'openssl' | false {
    if (!hello.psk || !this.tickets || !hello.pskModes.includes(PSK_DHE_KE)) return false;
    const now = this.now();
    for (const [index, offered] of hello.psk.identities.entries()) {
      if (index === 0 && offered.identity.subarray(0, 16).equals(this.opensslTicketName)) return 'openssl';
      const state = this.tickets.open(offered.identity);
      if (!state) continue;
      const ageMs = now - state.authenticatedAt;
      if (ageMs < 0 || ageMs > this.lifetimeSeconds * 1000) continue;
      if (!hello.cipherSuites.includes(state.suite) || !CIPHER_SUITES.some((s) => s.id === state.suite)) continue;
      return { index, state };
    }
    return false;
  }
}

/** The ClientHello in a peer's first flight: plaintext handshake records holding it and nothing else. */
function readClientHello(records: Buffer): ClientHello | undefined {
  const { records: list, rest } = splitRecords(records);
  if (rest.length > 0 || list.length === 0) return undefined;
  const reader = new HandshakeReader(MAX_CLIENT_HELLO);
  for (const r of list) {
    if (r.type !== ContentType.handshake) return undefined;
    reader.add(r.body);
  }
  const m = reader.next();
  if (!m || m.type !== HandshakeType.client_hello || reader.partial) return undefined;
  return parseClientHello(m.message);
}

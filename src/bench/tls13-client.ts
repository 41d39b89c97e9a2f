// The load generator's own TLS 1.3 client (RFC 8446) for EAP-TLS 1.3 (RFC 9190): the ClientHello
// out; the server's flight in, the client's Certificate, CertificateVerify and Finished out; the
// ticket and the commitment message in. Synchronous, over the same codec and key schedule as the
// server (src/tls/tls13/), with node:crypto (OpenSSL) doing every cryptographic operation.
//
// Why: node:tls driven over a JS stream cost the load generator 2.2 ms of CPU per full login and
// two or more event-loop turns per message, and the load generator shares the machine's two cores
// with the server it measures (docs/BENCHMARKS.md). It is checked against OpenSSL's servers:
// FreeRADIUS in test/bench/bench.test.ts (MPPE keys must match the MSK derived here) and certgate
// with `tls.tls13Server: openssl`.
//
// What it offers is what an OpenSSL 3.0 supplicant offers, so that a server does the same work and
// the same round trips as for a real one: the three TLS 1.3 suites in OpenSSL's order, an X25519
// key share, OpenSSL's groups and signature schemes, a 32-byte legacy session ID (middlebox
// compatibility, so a ChangeCipherSpec goes each way) and psk_dhe_ke. A server that wants another
// group answers with a HelloRetryRequest, as FreeRADIUS does (its ecdh_curve is prime256v1), and
// gets a second ClientHello with a P-256, P-384 or P-521 share (RFC 8446 4.1.4).
import { type ECDH, type Hash, type KeyObject, createECDH, createHash, timingSafeEqual } from 'node:crypto';
import { randomPooled } from '../tls/random-pool.js';
import { x25519KeyPair, x25519Shared } from '../tls/tls13/key-exchange.js';
import {
  type HashName,
  deriveSecret,
  digest,
  earlySecrets,
  exportKeyingMaterial,
  finishedMac,
  handshakeSecrets,
  hashLength,
  hmac,
  resumptionPsk,
} from '../tls/tls13/key-schedule.js';
import { ExtensionType, HandshakeReader, HandshakeType, PSK_DHE_KE, TLS13, handshake, parseCertificate, parseCertificateVerify } from '../tls/tls13/messages.js';
import { CIPHER_SUITES, type CipherSuite, ContentType, RecordProtection, type TlsRecord, plainRecord, splitRecords } from '../tls/tls13/records.js';
import { CLIENT_SCHEMES, checkSignature, schemesForKey, signCertificateVerify } from '../tls/tls13/signature-schemes.js';
import { Alert, Reader, fault, u16, u16List, u32, withLength } from '../tls/tls13/wire.js';

/** OpenSSL's default TLS 1.3 suite order: TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256. */
const SUITES = [0x1302, 0x1303, 0x1301];
/** OpenSSL 3.0's default groups: x25519, secp256r1, x448, secp521r1, secp384r1 (the first share for X25519). */
const GROUPS = [0x001d, 0x0017, 0x001e, 0x0019, 0x0018];
const X25519 = 0x001d;
/** The groups a HelloRetryRequest may ask for (x448 is offered, as OpenSSL does, but not implemented). */
const EC_CURVES = new Map<number, string>([
  [0x0017, 'prime256v1'],
  [0x0018, 'secp384r1'],
  [0x0019, 'secp521r1'],
]);
const MESSAGE_HASH = 254;
const COOKIE = 44;
/** RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest. */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
const EAP_TLS_LABEL = 'EXPORTER_EAP_TLS_Key_Material';
const EAP_TLS_CONTEXT = Buffer.from([0x0d]);
const COMMITMENT = Buffer.from([0]);
const MAX_SERVER_MESSAGE = 65_536;
const extension = (type: number, body: Buffer): Buffer => Buffer.concat([u16(type), withLength(2, body)]);
/** What every ClientHello says the same way: made once, not per login. */
const OFFERED_SUITES = withLength(2, Buffer.concat(SUITES.map(u16)));
const FIXED_EXTENSIONS = Buffer.concat([
  extension(ExtensionType.supported_groups, withLength(2, Buffer.concat(GROUPS.map(u16)))),
  extension(ExtensionType.signature_algorithms, withLength(2, Buffer.concat(CLIENT_SCHEMES.map(u16)))),
  extension(ExtensionType.supported_versions, withLength(1, u16(TLS13))),
  extension(ExtensionType.psk_key_exchange_modes, withLength(1, Buffer.from([PSK_DHE_KE]))),
]);
const ALERT_NAMES = new Map<number, string>(Object.entries(Alert).map(([name, code]) => [code, name]));

/** What resuming needs (RFC 8446 4.6.1); `receivedAt` and `lifetimeS` on the caller's clock. */
export interface Tls13Ticket {
  identity: Buffer;
  psk: Buffer;
  hash: HashName;
  ageAdd: number;
  receivedAt: number;
  lifetimeS: number;
}

export interface Tls13ClientConfig {
  /** Our certificate chain, leaf first (DER). */
  chain: Buffer[];
  key: KeyObject;
  /** The server's chain (leaf first) checked against the trust anchors: the leaf's key, or why not. */
  checkServer: (chain: Buffer[], now: Date) => KeyObject | string;
}

type State = 'hello' | 'server_hello' | 'server_flight' | 'final' | 'failed';
type Expect = 'encrypted_extensions' | 'certificate_request' | 'certificate' | 'certificate_verify' | 'finished';

/** A fault of the server's flight, or a server we do not trust: the handshake is over. */
export class Tls13ClientError extends Error {}

/** The server's certificate chain does not lead to our trust anchors (the reason says why). */
export class UntrustedServer extends Tls13ClientError {}

/** The server ended the handshake with an alert (as when it refuses our certificate). */
export class ServerAlert extends Tls13ClientError {}

/**
 * One TLS 1.3 handshake as the client. `hello()` gives the first flight; `receive()` takes each
 * whole server flight and gives what to send back (empty: nothing, the EAP layer acknowledges).
 * Faults throw Tls13ClientError; a fatal alert from the server is one too.
 */
export class Tls13Client {
  private state: State = 'hello';
  private readonly x25519 = x25519KeyPair();
  /** The share of the second ClientHello, when a HelloRetryRequest asked for an EC group. */
  private ecdh: { group: number; key: ECDH } | undefined;
  private readonly random = randomPooled(32);
  private readonly sessionId = randomPooled(32);
  /** Whether to offer the ticket (still in the second ClientHello if the suite's hash fits). */
  private offerTicket: boolean;
  /** After a HelloRetryRequest: message_hash(ClientHello1) and the HelloRetryRequest, the transcript's start (RFC 8446 4.4.1). */
  private retryPrefix: Buffer | undefined;
  /** Our ChangeCipherSpec went before the second ClientHello (it goes once). */
  private ccsSent = false;
  private helloMessage: Buffer | undefined;
  private suite: CipherSuite | undefined;
  private transcript: Hash | undefined;
  private earlySecret: Buffer | undefined;
  private clientHandshakeSecret: Buffer | undefined;
  private serverHandshakeSecret: Buffer | undefined;
  private master: Buffer | undefined;
  private serverKeys: RecordProtection | undefined;
  private readonly handshakes = new HandshakeReader(MAX_SERVER_MESSAGE);
  private expect: Expect = 'encrypted_extensions';
  private requestContext: Buffer | undefined;
  private requestedSchemes: number[] = [];
  private serverKey: KeyObject | undefined;
  private exporterMaster: Buffer | undefined;
  private resumptionMaster: Buffer | undefined;
  /** The flight to send, made when the server's Finished is read. */
  private reply: Buffer[] = [];
  /** Set once our Finished is sent. */
  established = false;
  resumed = false;
  committed = false;
  /** The newest ticket the server sent (an OpenSSL server may send two). */
  ticket: Tls13Ticket | undefined;

  constructor(
    private readonly config: Tls13ClientConfig,
    private readonly offer: Tls13Ticket | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.offerTicket = offer !== undefined && now() - offer.receivedAt < offer.lifetimeS * 1000;
  }

  /** The ClientHello record. */
  hello(): Buffer {
    if (this.state !== 'hello') throw new Tls13ClientError('hello() twice');
    this.state = 'server_hello';
    return plainRecord(ContentType.handshake, this.clientHello(undefined));
  }

  /** The first ClientHello, or the second one after a HelloRetryRequest (same but for the share, the cookie and the binder). */
  private clientHello(cookie: Buffer | undefined): Buffer {
    const share = this.ecdh ? Buffer.concat([u16(this.ecdh.group), withLength(2, this.ecdh.key.getPublicKey())]) : Buffer.concat([u16(X25519), withLength(2, this.x25519.share)]);
    const exts = [FIXED_EXTENSIONS, extension(ExtensionType.key_share, withLength(2, share))];
    if (cookie) exts.push(extension(COOKIE, withLength(2, cookie)));
    const t = this.offerTicket ? this.offer! : undefined;
    if (t) {
      // RFC 8446 4.2.11: pre_shared_key last; the binder covers the ClientHello up to the binders.
      const age = (this.now() - t.receivedAt + t.ageAdd) >>> 0;
      const identities = withLength(2, Buffer.concat([withLength(2, t.identity), u32(age)]));
      const binders = withLength(2, withLength(1, Buffer.alloc(hashLength(t.hash))));
      exts.push(extension(ExtensionType.pre_shared_key, Buffer.concat([identities, binders])));
    }
    const body = Buffer.concat([u16(0x0303), this.random, withLength(1, this.sessionId), OFFERED_SUITES, Buffer.from([1, 0]), withLength(2, Buffer.concat(exts))]);
    const message = handshake(HandshakeType.client_hello, body);
    if (t) {
      const hashLen = hashLength(t.hash);
      const e = earlySecrets(t.hash, t.psk);
      this.earlySecret = e.earlySecret;
      // After a HelloRetryRequest the binder covers the transcript before this ClientHello too (4.2.11.2).
      const covered = message.subarray(0, message.length - 3 - hashLen);
      hmac(t.hash, e.binderFinishedKey, digest(t.hash, this.retryPrefix ? Buffer.concat([this.retryPrefix, covered]) : covered)).copy(message, message.length - hashLen);
    }
    this.helloMessage = message;
    return message;
  }

  /** One whole server flight (records); what to send back, empty when there is nothing. */
  receive(bytes: Buffer): Buffer {
    if (this.state === 'hello' || this.state === 'failed') throw new Tls13ClientError(`server data in state ${this.state}`);
    try {
      const { records, rest } = splitRecords(bytes);
      if (rest.length > 0) fault('decode_error', 'the server flight ends inside a record');
      for (const r of records) this.record(r);
      if (this.handshakes.partial) fault('unexpected_message', 'the server flight ends inside a handshake message');
      const out = Buffer.concat(this.reply);
      this.reply = [];
      return out;
    } catch (e) {
      this.state = 'failed';
      if (e instanceof Tls13ClientError) throw e;
      throw new Tls13ClientError((e as Error).message);
    }
  }

  /** RFC 9190 2.3: MSK = the first 64 bytes of TLS-Exporter("EXPORTER_EAP_TLS_Key_Material", 0x0D, 128). */
  msk(): Buffer | undefined {
    if (!this.established) return undefined;
    return exportKeyingMaterial(this.suite!.hash, this.exporterMaster!, EAP_TLS_LABEL, EAP_TLS_CONTEXT, 128, 64);
  }

  private record(r: TlsRecord): void {
    // RFC 8446 D.4: the compatibility ChangeCipherSpec may come any time before the server's Finished.
    if (r.type === ContentType.change_cipher_spec && this.state !== 'final') {
      if (r.body.length !== 1 || r.body[0] !== 1) fault('unexpected_message', 'malformed ChangeCipherSpec');
      return;
    }
    if (r.type === ContentType.alert && this.state === 'server_hello') return this.alert(r.body);
    if (this.state === 'server_hello') {
      if (r.type !== ContentType.handshake) fault('unexpected_message', `record type ${r.type} before the ServerHello`);
      this.handshakes.add(r.body);
      const m = this.handshakes.next();
      if (!m) return;
      if (m.type !== HandshakeType.server_hello) fault('unexpected_message', `handshake message ${m.type} instead of a ServerHello`);
      this.serverHello(m.message, m.body);
      // Anything after the ServerHello in the same record would be unprotected handshake data.
      if (this.handshakes.partial || this.handshakes.next()) fault('unexpected_message', 'handshake data after the ServerHello in its record');
      return;
    }
    const { type, content } = this.serverKeys!.open(r);
    if (type === ContentType.alert) return this.alert(content);
    if (this.state === 'final') return this.afterHandshake(type, content);
    if (type !== ContentType.handshake) fault('unexpected_message', `record type ${type} inside the server's handshake`);
    this.handshakes.add(content);
    for (let m = this.handshakes.next(); m; m = this.handshakes.next()) {
      this.serverMessage(m.type, m.message, m.body);
      // The server's Finished changes the keys: the rest of its record would be under the old ones.
      if ((this.state as State) === 'final' && (this.handshakes.partial || this.handshakes.next())) fault('unexpected_message', 'handshake data after the server Finished in its record');
    }
  }

  private alert(body: Buffer): never {
    const name = ALERT_NAMES.get(body[1] ?? -1) ?? `alert ${body[1]}`;
    throw new ServerAlert(`the server sent the alert ${name}`);
  }

  private serverHello(message: Buffer, body: Buffer): void {
    const r = new Reader(body);
    if (r.u16('legacy_version') !== 0x0303) fault('protocol_version', 'ServerHello legacy_version is not TLS 1.2');
    const retry = r.bytes(32, 'random').equals(HRR_RANDOM);
    if (retry && this.retryPrefix) fault('unexpected_message', 'a second HelloRetryRequest');
    if (!r.vector(1, 'legacy_session_id_echo').equals(this.sessionId)) fault('illegal_parameter', 'legacy_session_id_echo is not ours');
    const id = r.u16('cipher_suite');
    const suite = CIPHER_SUITES.find((s) => s.id === id);
    if (!suite || !SUITES.includes(id)) fault('illegal_parameter', `cipher suite 0x${id.toString(16)} was not offered`);
    if (r.u8('legacy_compression_method') !== 0) fault('illegal_parameter', 'compression');
    const exts = r.sub(2, 'extensions');
    r.done('ServerHello');
    let version: number | undefined;
    let group: number | undefined;
    let share: Buffer | undefined;
    let cookie: Buffer | undefined;
    let pskIndex: number | undefined;
    while (exts.remaining > 0) {
      const type = exts.u16('extension type');
      const e = new Reader(exts.vector(2, 'extension'));
      if (type === ExtensionType.supported_versions) version = e.u16('selected_version');
      else if (type === ExtensionType.key_share) {
        group = e.u16('group');
        if (!retry) share = e.vector(2, 'key_exchange');
      } else if (type === COOKIE && retry) cookie = e.vector(2, 'cookie', 1);
      else if (type === ExtensionType.pre_shared_key && !retry) pskIndex = e.u16('selected_identity');
      else fault('unsupported_extension', `ServerHello extension ${type}`);
      e.done(`extension ${type}`);
    }
    if (version !== TLS13) fault('protocol_version', 'the server did not choose TLS 1.3');
    if (retry) return this.retryHello(message, suite, group, cookie);
    if (this.retryPrefix && id !== this.suite!.id) fault('illegal_parameter', 'the ServerHello changed the suite of the HelloRetryRequest');
    if (!share) fault('missing_extension', 'no key_share (psk_ke was not offered)');
    if (group !== (this.ecdh?.group ?? X25519)) fault('illegal_parameter', 'key share for a group without our share');
    if (pskIndex !== undefined) {
      if (pskIndex !== 0 || !this.earlySecret) fault('illegal_parameter', `selected_identity ${pskIndex} was not offered`);
      if (suite.hash !== this.offer!.hash) fault('illegal_parameter', "the suite's hash is not the ticket's");
      this.resumed = true;
    }
    this.suite = suite;
    this.transcript = createHash(suite.hash);
    if (this.retryPrefix) this.transcript.update(this.retryPrefix);
    this.transcript.update(this.helloMessage!).update(message);
    this.helloMessage = undefined;
    let shared: Buffer;
    if (!this.ecdh) shared = x25519Shared(this.x25519.privateKey, share);
    else {
      try {
        shared = this.ecdh.key.computeSecret(share);
      } catch {
        return fault('illegal_parameter', 'the server share is not a point on the curve');
      }
    }
    const secrets = handshakeSecrets(suite.hash, shared, this.hash(), this.resumed ? this.earlySecret : undefined);
    this.clientHandshakeSecret = secrets.clientHandshake;
    this.serverHandshakeSecret = secrets.serverHandshake;
    this.master = secrets.master;
    this.serverKeys = new RecordProtection(suite, secrets.serverHandshake);
    this.state = 'server_flight';
  }

  /** A HelloRetryRequest: the second ClientHello, with a share for the group it names (RFC 8446 4.1.4). */
  private retryHello(message: Buffer, suite: CipherSuite, group: number | undefined, cookie: Buffer | undefined): void {
    const curve = group === undefined ? undefined : EC_CURVES.get(group);
    if (!curve) fault('illegal_parameter', `the HelloRetryRequest asks for group ${group ?? 'none'}, not one offered and implemented here`);
    this.ecdh = { group: group!, key: createECDH(curve) };
    this.ecdh.key.generateKeys();
    this.suite = suite;
    this.retryPrefix = Buffer.concat([handshake(MESSAGE_HASH, digest(suite.hash, this.helloMessage!)), message]);
    // A ticket for another hash cannot be used with the suite the server chose.
    if (this.offerTicket && this.offer!.hash !== suite.hash) this.offerTicket = false;
    this.earlySecret = undefined;
    this.ccsSent = true;
    this.reply.push(plainRecord(ContentType.change_cipher_spec, Buffer.from([1])), plainRecord(ContentType.handshake, this.clientHello(cookie)));
  }

  private serverMessage(type: number, message: Buffer, body: Buffer): void {
    const h = this.suite!.hash;
    const want: number[] = this.expect === 'certificate_request' ? [HandshakeType.certificate_request, HandshakeType.certificate] : [HandshakeType[this.expect]];
    if (!want.includes(type)) fault('unexpected_message', `handshake message ${type} where ${this.expect} belongs`);
    switch (type) {
      case HandshakeType.encrypted_extensions:
        // Nothing requested is answered there (no ALPN, no server_name, no early data).
        this.expect = this.resumed ? 'finished' : 'certificate_request';
        break;
      case HandshakeType.certificate_request: {
        const r = new Reader(body);
        this.requestContext = r.vector(1, 'certificate_request_context');
        const exts = r.sub(2, 'extensions');
        r.done('CertificateRequest');
        while (exts.remaining > 0) {
          const t = exts.u16('extension type');
          const e = new Reader(exts.vector(2, 'extension'));
          if (t === ExtensionType.signature_algorithms) this.requestedSchemes = u16List(e.vector(2, 'supported_signature_algorithms', 2), 'supported_signature_algorithms');
        }
        this.expect = 'certificate';
        break;
      }
      case HandshakeType.certificate: {
        // EAP-TLS: the server must ask for the client's certificate (RFC 9190 2.1.1).
        if (this.requestContext === undefined) fault('certificate_required', 'the server did not request a client certificate');
        const chain = parseCertificate(body);
        if (chain.length === 0) fault('decode_error', 'the server sent no certificate');
        const checked = this.config.checkServer(chain, new Date(this.now()));
        if (typeof checked === 'string') throw new UntrustedServer(checked);
        this.serverKey = checked;
        this.expect = 'certificate_verify';
        break;
      }
      case HandshakeType.certificate_verify: {
        const cv = parseCertificateVerify(body);
        checkSignature('server', cv.scheme, this.serverKey!, cv.signature, this.hash());
        this.expect = 'finished';
        break;
      }
      case HandshakeType.finished: {
        const expected = finishedMac(h, this.serverHandshakeSecret!, this.hash());
        if (body.length !== expected.length || !timingSafeEqual(body, expected)) fault('decrypt_error', 'the server Finished does not verify');
        this.transcript!.update(message);
        this.respond();
        return;
      }
    }
    this.transcript!.update(message);
  }

  /** After the server's Finished: our Certificate, CertificateVerify and Finished. */
  private respond(): void {
    const h = this.suite!.hash;
    const afterServerFinished = this.hash();
    this.serverKeys = new RecordProtection(this.suite!, deriveSecret(h, this.master!, 's ap traffic', afterServerFinished));
    this.exporterMaster = deriveSecret(h, this.master!, 'exp master', afterServerFinished);
    const flight: Buffer[] = [];
    const add = (m: Buffer) => {
      this.transcript!.update(m);
      flight.push(m);
    };
    if (!this.resumed) {
      const context = this.requestContext!;
      add(handshake(HandshakeType.certificate, Buffer.concat([withLength(1, context), withLength(3, Buffer.concat(this.config.chain.map((der) => Buffer.concat([withLength(3, der), u16(0)]))))])));
      const scheme = schemesForKey(this.config.key).find((s) => this.requestedSchemes.includes(s));
      if (scheme === undefined) fault('handshake_failure', "the server accepts no signature scheme for this client's key");
      add(handshake(HandshakeType.certificate_verify, Buffer.concat([u16(scheme), withLength(2, signCertificateVerify(scheme, this.config.key, this.hash(), 'client'))])));
    }
    add(handshake(HandshakeType.finished, finishedMac(h, this.clientHandshakeSecret!, this.hash())));
    this.resumptionMaster = deriveSecret(h, this.master!, 'res master', this.hash());
    const keys = new RecordProtection(this.suite!, this.clientHandshakeSecret!);
    // Middlebox compatibility (RFC 8446 D.4): our ChangeCipherSpec before the first protected
    // record, unless it went before a second ClientHello.
    if (!this.ccsSent) this.reply.push(plainRecord(ContentType.change_cipher_spec, Buffer.from([1])));
    this.reply.push(keys.seal(ContentType.handshake, Buffer.concat(flight)));
    this.state = 'final';
    this.established = true;
  }

  /** After the handshake: tickets and the commitment message (RFC 9190 2.5). */
  private afterHandshake(type: number, content: Buffer): void {
    if (type === ContentType.application_data) {
      if (!content.equals(COMMITMENT)) fault('unexpected_message', 'application data other than the commitment message');
      this.committed = true;
      return;
    }
    if (type !== ContentType.handshake) fault('unexpected_message', `record type ${type} after the handshake`);
    this.handshakes.add(content);
    for (let m = this.handshakes.next(); m; m = this.handshakes.next()) {
      if (m.type !== HandshakeType.new_session_ticket) fault('unexpected_message', `post-handshake message ${m.type}`);
      const r = new Reader(m.body);
      const lifetimeS = r.u32('ticket_lifetime');
      const ageAdd = r.u32('ticket_age_add');
      const nonce = r.vector(1, 'ticket_nonce');
      const identity = r.vector(2, 'ticket', 1);
      r.vector(2, 'extensions');
      r.done('NewSessionTicket');
      const h = this.suite!.hash;
      if (lifetimeS > 0) this.ticket = { identity: Buffer.from(identity), psk: resumptionPsk(h, this.resumptionMaster!, nonce), hash: h, ageAdd, receivedAt: this.now(), lifetimeS };
    }
  }

  private hash(): Buffer {
    return this.transcript!.copy().digest();
  }
}


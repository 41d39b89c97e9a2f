// certgate's TLS 1.3 server handshake for EAP-TLS (RFC 8446, RFC 9190): one ClientHello in, the
// server's flight out; the client's flight in, the ticket and commitment message out. No
// HelloRetryRequest, no 0-RTT, no post-handshake messages: a ClientHello that needs any of them is
// routed to OpenSSL before this class is made (context.ts, plan). The primitives are node:crypto's
// (OpenSSL); what this replaces is node:tls's socket and stream machinery, which cost more per
// EAP-TLS login than the cryptography itself (docs/BENCHMARKS.md, issue 5).
import { type Hash, type KeyObject, createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { randomPooled } from '../random-pool.js';
import type { EstablishedSession, TlsHandshake, TlsStep } from '../engine.js';
import type { Tls13Context, Tls13Plan } from './context.js';
import type { ClientHello } from './messages.js';
import { keyExchange } from './key-exchange.js';
import {
  type HandshakeSecrets,
  deriveSecret,
  digest,
  earlySecrets,
  exportKeyingMaterial,
  finishedMac,
  handshakeSecrets,
  hmac,
  resumptionPsk,
} from './key-schedule.js';
import * as msg from './messages.js';
import { ContentType, MAX_PLAINTEXT, RecordProtection, type TlsRecord, plainRecord, splitRecords } from './records.js';
import { CLIENT_SCHEMES, checkSignature, signCertificateVerify } from './signature-schemes.js';
import { Alert, type AlertName, TlsFault, fault } from './wire.js';

/** RFC 9190 2.3: Key_Material = TLS-Exporter("EXPORTER_EAP_TLS_Key_Material", 0x0D, 128); MSK is the first 64. */
const EAP_TLS_LABEL = 'EXPORTER_EAP_TLS_Key_Material';
const EAP_TLS_CONTEXT = Buffer.from([0x0d]);
/** The client's flight: its certificate chain bounds it (the EAP layer bounds the whole message too). */
const MAX_CLIENT_MESSAGE = 65_536;
const COMMITMENT = Buffer.from([0]);
const CCS = Buffer.from([1]);

type Expect = 'certificate' | 'certificate_verify' | 'finished' | 'nothing';

export class Tls13Server implements TlsHandshake {
  private readonly h: Tls13Plan['suite']['hash'];
  private readonly transcript: Hash;
  private readonly handshakes = new msg.HandshakeReader(MAX_CLIENT_MESSAGE);
  private pending: Buffer = Buffer.alloc(0);
  private started = false;
  private expect: Expect = 'nothing';
  private secrets: HandshakeSecrets | undefined;
  private clientHandshake: RecordProtection | undefined;
  private serverApplication: RecordProtection | undefined;
  private exporterMaster: Buffer | undefined;
  private peerChain: Buffer[] = [];
  /** SHA-256 of the client's certificate: its key's cache entry and its name in the ticket. */
  private leafSha256: Buffer | undefined;
  private peerKey: KeyObject | undefined;
  private certificateHash: Buffer | undefined;

  /** Until the server's flight is made; not kept for the rest of the handshake (up to 64 KB). */
  private hello: ClientHello | undefined;
  private readonly plan: Omit<Tls13Plan, 'hello'>;

  constructor(
    private readonly ctx: Tls13Context,
    { hello, ...plan }: Tls13Plan,
  ) {
    this.hello = hello;
    this.plan = plan;
    this.h = plan.suite.hash;
    this.transcript = createHash(this.h);
  }

  /** The first call gets the ClientHello the plan was made from; later calls the client's flight. */
  feed(records: Buffer): Promise<TlsStep> {
    return Promise.resolve(this.step(records));
  }

  destroy(): void {
    this.expect = 'nothing';
  }

  step(records: Buffer): TlsStep {
    try {
      if (!this.started) {
        this.started = true;
        return { output: this.serverFlight(), state: 'handshaking' };
      }
      return this.clientFlight(records);
    } catch (e) {
      this.expect = 'nothing';
      // The client's own alert ends the handshake without an answer.
      if (e instanceof PeerAlert) return { output: Buffer.alloc(0), state: 'failed', error: e.message };
      const f = e instanceof TlsFault ? e : new TlsFault('internal_error', (e as Error).message);
      return { output: this.alert(f.alert), state: 'failed', error: f.message, ...(e instanceof NoCertificate ? { reason: 'no_certificate' as const } : {}) };
    }
  }

  /** ServerHello, then under the handshake keys EncryptedExtensions … Finished (RFC 8446 2, figure 1). */
  private serverFlight(): Buffer {
    const { suite, resume } = this.plan;
    const hello = this.hello!;
    this.hello = undefined;
    let early: Buffer | undefined;
    if (resume) {
      // RFC 8446 4.2.11.2: the binder proves the client holds the ticket's PSK, over the hello up to the binders.
      const e = earlySecrets(this.h, resume.state.psk);
      const expected = hmac(this.h, e.binderFinishedKey, digest(this.h, hello.message.subarray(0, hello.psk!.truncatedLength)));
      const binder = hello.psk!.binders[resume.index]!;
      if (binder.length !== expected.length || !timingSafeEqual(binder, expected)) fault('decrypt_error', 'PSK binder does not verify');
      early = e.earlySecret;
    }
    const kx = keyExchange(this.plan.group, this.plan.peerShare);
    const serverHello = msg.serverHello({
      random: randomPooled(32),
      sessionIdEcho: hello.legacySessionId,
      suite: suite.id,
      keyShare: { group: this.plan.group, key: kx.share },
      pskIndex: resume?.index,
    });
    this.transcript.update(hello.message).update(serverHello);
    const secrets = handshakeSecrets(this.h, kx.shared, this.hash(), early);
    this.secrets = secrets;
    this.clientHandshake = new RecordProtection(suite, secrets.clientHandshake);

    const flight: Buffer[] = [this.add(msg.encryptedExtensions())];
    if (!resume) {
      flight.push(this.add(msg.certificateRequest(CLIENT_SCHEMES)), this.add(msg.certificate(this.ctx.chain)));
      flight.push(this.add(msg.certificateVerify(this.plan.scheme, signCertificateVerify(this.plan.scheme, this.ctx.key, this.hash()))));
    }
    flight.push(this.add(msg.finished(finishedMac(this.h, secrets.serverHandshake, this.hash()))));
    const afterServerFinished = this.hash();
    this.serverApplication = new RecordProtection(suite, deriveSecret(this.h, secrets.master, 's ap traffic', afterServerFinished));
    this.exporterMaster = deriveSecret(this.h, secrets.master, 'exp master', afterServerFinished);
    this.expect = resume ? 'finished' : 'certificate';

    const serverHandshake = new RecordProtection(suite, secrets.serverHandshake);
    const out = [plainRecord(ContentType.handshake, serverHello)];
    // Middlebox compatibility (RFC 8446 D.4): a client that sent a session ID expects this record.
    if (hello.legacySessionId.length > 0) out.push(plainRecord(ContentType.change_cipher_spec, CCS));
    const messages = Buffer.concat(flight);
    for (let at = 0; at < messages.length; at += MAX_PLAINTEXT) out.push(serverHandshake.seal(ContentType.handshake, messages.subarray(at, at + MAX_PLAINTEXT)));
    return Buffer.concat(out);
  }

  /** Certificate, CertificateVerify, Finished (or Finished alone on a resumption), each checked. */
  private clientFlight(records: Buffer): TlsStep {
    if (this.expect === 'nothing') fault('unexpected_message', 'the handshake is over');
    const input = this.pending.length ? Buffer.concat([this.pending, records]) : records;
    const { records: list, rest } = splitRecords(input);
    this.pending = rest;
    for (const [i, r] of list.entries()) {
      const finished = this.record(r);
      if (!finished) continue;
      // RFC 8446 5.1: the Finished ends the client's flight; nothing may follow under these keys.
      if (i !== list.length - 1 || rest.length > 0 || this.handshakes.partial) fault('unexpected_message', 'data after the client Finished');
      return this.established();
    }
    return { output: Buffer.alloc(0), state: 'handshaking' };
  }

  /** One record of the client's flight; true once its Finished has been verified. */
  private record(r: TlsRecord): boolean {
    // RFC 8446 5.1: a handshake message is never interleaved with records of other types.
    if (r.type !== ContentType.application_data && this.handshakes.partial) fault('unexpected_message', 'a record of another type inside a handshake message');
    if (r.type === ContentType.change_cipher_spec) {
      // RFC 8446 5: a compatibility ChangeCipherSpec (one byte, 0x01) is dropped before the Finished.
      if (!r.body.equals(CCS)) fault('unexpected_message', 'ChangeCipherSpec other than 0x01');
      return false;
    }
    if (r.type === ContentType.alert) return peerAlert(r.body);
    const { type, content } = this.clientHandshake!.open(r);
    if (type !== ContentType.handshake && this.handshakes.partial) fault('unexpected_message', 'a record of another type inside a handshake message');
    if (type === ContentType.alert) return peerAlert(content);
    if (type !== ContentType.handshake) fault('unexpected_message', `record type ${type} before the client Finished`);
    this.handshakes.add(content);
    for (let m = this.handshakes.next(); m; m = this.handshakes.next()) {
      if (this.message(m.type, m.body, m.message)) return true;
    }
    return false;
  }

  private message(type: number, body: Buffer, message: Buffer): boolean {
    switch (this.expect) {
      case 'certificate': {
        if (type !== msg.HandshakeType.certificate) break;
        this.peerChain = msg.parseCertificate(body);
        // RFC 8446 4.4.2.4: without a certificate the server may abort, and does: no keys are ever
        // derived for a peer that proved nothing (the decision would refuse it too).
        if (this.peerChain.length === 0) throw new NoCertificate('certificate_required', 'the client sent no certificate');
        this.add(message);
        this.leafSha256 = digest('sha256', this.peerChain[0]!);
        this.peerKey = this.ctx.peerKey(this.peerChain[0]!, this.leafSha256);
        this.certificateHash = this.hash();
        this.expect = 'certificate_verify';
        return false;
      }
      case 'certificate_verify': {
        if (type !== msg.HandshakeType.certificate_verify) break;
        const cv = msg.parseCertificateVerify(body);
        checkSignature('client', cv.scheme, this.peerKey!, cv.signature, this.certificateHash!);
        this.add(message);
        this.expect = 'finished';
        return false;
      }
      case 'finished': {
        if (type !== msg.HandshakeType.finished) break;
        const expected = finishedMac(this.h, this.secrets!.clientHandshake, this.hash());
        if (body.length !== expected.length || !timingSafeEqual(body, expected)) fault('decrypt_error', 'the client Finished does not verify');
        this.add(message);
        this.expect = 'nothing';
        return true;
      }
      case 'nothing':
        break;
    }
    return fault('unexpected_message', `handshake message ${type} where ${this.expect} was expected`);
  }

  /** The client is authenticated: keys for the EAP layer, a ticket, and the commitment message. */
  private established(): TlsStep {
    const resumed = this.plan.resume?.state;
    const now = this.ctx.now();
    const out: Buffer[] = [];
    // A full handshake got here through a verified certificate; a resumption through its ticket.
    const leafSha256 = resumed ? resumed.leafSha256 : this.leafSha256!;
    const authenticatedAt = resumed ? resumed.authenticatedAt : now;
    const lifetime = Math.floor(this.ctx.lifetimeSeconds - (now - authenticatedAt) / 1000);
    if (this.ctx.tickets && lifetime > 0) {
      const resumptionMaster = deriveSecret(this.h, this.secrets!.master, 'res master', this.hash());
      const nonce = Buffer.alloc(0); // one ticket per connection: the nonce need not vary
      const ticket = this.ctx.tickets.seal({ suite: this.plan.suite.id, authenticatedAt, psk: resumptionPsk(this.h, resumptionMaster, nonce), leafSha256 });
      // ticket_age_add only obfuscates the age of 0-RTT offers, which are never accepted; random all the same.
      out.push(this.serverApplication!.seal(ContentType.handshake, msg.newSessionTicket({ lifetime, ageAdd: randomInt(0, 2 ** 32), nonce, ticket })));
    }
    // RFC 9190 2.5: the commitment message, after the last handshake message.
    out.push(this.serverApplication!.seal(ContentType.application_data, COMMITMENT));
    // Key_Material is 128 bytes; the MSK is its first 64 (the EMSK is never used here).
    const msk = exportKeyingMaterial(this.h, this.exporterMaster!, EAP_TLS_LABEL, EAP_TLS_CONTEXT, 128, 64);
    const session: EstablishedSession = {
      version: 'TLSv1.3',
      resumed: resumed !== undefined,
      peerChain: this.peerChain,
      msk,
      ...(resumed ? { peerLeafSha256: resumed.leafSha256 } : {}),
    };
    return { output: Buffer.concat(out), state: 'established', session };
  }

  /** Appends a handshake message to the transcript; returns it. */
  private add(message: Buffer): Buffer {
    this.transcript.update(message);
    return message;
  }

  private hash(): Buffer {
    return this.transcript.copy().digest();
  }

  /** A fatal alert, under the keys the client expects from us at this point (RFC 8446 6). */
  private alert(name: AlertName): Buffer {
    const body = Buffer.from([2, Alert[name]]);
    return this.serverApplication ? this.serverApplication.seal(ContentType.alert, body) : plainRecord(ContentType.alert, body);
  }
}

class PeerAlert extends Error {}
class NoCertificate extends TlsFault {}

/** The client gave up and said why (RFC 8446 6): every alert ends the handshake here. */
function peerAlert(body: Buffer): never {
  const code = body.length === 2 ? body[1]! : undefined;
  const name = Object.entries(Alert).find(([, c]) => c === code)?.[0];
  throw new PeerAlert(`the client sent alert ${code ?? '(malformed)'}${name ? ` (${name})` : ''}`);
}

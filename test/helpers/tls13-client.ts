// A TLS 1.3 client for tests that need to misbehave: a wrong CertificateVerify, a bad Finished, a
// forged binder. It reuses the server's codec and key schedule, so it proves nothing about them on
// its own; what it is for is making the server meet faults that OpenSSL clients never produce.
// Interoperability is shown by the real clients (node:tls, eapol_test) elsewhere.
import { type KeyObject, constants, diffieHellman, generateKeyPairSync, createPublicKey, randomBytes, sign } from 'node:crypto';
import {
  deriveSecret,
  digest,
  earlySecrets,
  exportKeyingMaterial,
  finishedMac,
  handshakeSecrets,
  hmac,
  resumptionPsk,
} from '../../src/tls/tls13/key-schedule.js';
import { HandshakeReader, HandshakeType, handshake } from '../../src/tls/tls13/messages.js';
import { CIPHER_SUITES, ContentType, RecordProtection, plainRecord, splitRecords } from '../../src/tls/tls13/records.js';
import { Reader, u16, u32, withLength } from '../../src/tls/tls13/wire.js';

export type Fault = 'cv-wrong-key' | 'cv-pkcs1' | 'no-cv' | 'bad-finished' | 'flip-record' | 'trailing-record' | 'bad-binder' | 'empty-record' | 'ccs-inside-message' | 'cert-extension';

export interface ClientOptions {
  /** Leaf first; empty sends an empty Certificate. */
  chain: Buffer[];
  key?: KeyObject;
  /** Signs the CertificateVerify instead of `key` (with fault cv-wrong-key). */
  otherKey?: KeyObject;
  fault?: Fault;
  suites?: number[];
  /** Key shares to send: x25519 (default), secp256r1, or none. */
  shares?: ('x25519' | 'secp256r1')[];
  groups?: number[];
  sessionId?: boolean;
  /** A ticket from an earlier handshake, to resume. */
  resume?: Ticket;
  /** Offer an identity the server does not know before the ticket (the server must pick the second). */
  unknownIdentityFirst?: boolean;
  earlyData?: boolean;
  versions?: number[];
}

export interface Ticket {
  identity: Buffer;
  psk: Buffer;
  ageAdd: number;
  lifetime: number;
}

const ext = (type: number, body: Buffer) => Buffer.concat([u16(type), withLength(2, body)]);
const suite = (id: number) => CIPHER_SUITES.find((s) => s.id === id)!;

export class Tls13TestClient {
  private readonly x25519 = generateKeyPairSync('x25519');
  private readonly transcript: Buffer[] = [];
  private suiteId = 0x1301;
  private clientHs: Buffer | undefined;
  private master: Buffer | undefined;
  private serverHsKeys: RecordProtection | undefined;
  private serverAppKeys: RecordProtection | undefined;
  private exporter: Buffer | undefined;
  private earlySecret: Buffer | undefined;
  /** Set once the server's final flight is read. */
  ticket: Ticket | undefined;
  committed = false;
  resumed = false;

  constructor(private readonly o: ClientOptions) {}

  private get h() {
    return suite(this.suiteId).hash;
  }

  private hash(): Buffer {
    return digest(this.h, Buffer.concat(this.transcript));
  }

  /** The first flight: a ClientHello record. */
  hello(): Buffer {
    const pub = Buffer.from(this.x25519.publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const shares: Buffer[] = [];
    for (const s of this.o.shares ?? ['x25519']) {
      if (s === 'x25519') shares.push(Buffer.concat([u16(0x001d), withLength(2, pub)]));
      else shares.push(Buffer.concat([u16(0x0017), withLength(2, Buffer.concat([Buffer.from([4]), randomBytes(64)]))]));
    }
    const exts = [
      ext(43, withLength(1, Buffer.concat((this.o.versions ?? [0x0304]).map(u16)))),
      ext(10, withLength(2, Buffer.concat((this.o.groups ?? [0x001d, 0x0017]).map(u16)))),
      ext(13, withLength(2, Buffer.concat([0x0804, 0x0403, 0x0807].map(u16)))),
      ext(51, withLength(2, Buffer.concat(shares))),
      ext(45, withLength(1, Buffer.from([1]))),
    ];
    if (this.o.earlyData) exts.push(ext(42, Buffer.alloc(0)));
    const suites = this.o.suites ?? [0x1301, 0x1302, 0x1303];
    const head = (extensions: Buffer) =>
      Buffer.concat([u16(0x0303), randomBytes(32), withLength(1, this.o.sessionId === false ? Buffer.alloc(0) : randomBytes(32)), withLength(2, Buffer.concat(suites.map(u16))), Buffer.from([1, 0]), withLength(2, extensions)]);
    let message: Buffer;
    const r = this.o.resume;
    if (r) {
      const hashLen = 32;
      const offered = this.o.unknownIdentityFirst ? [randomBytes(40), r.identity] : [r.identity];
      const identities = withLength(2, Buffer.concat(offered.map((id) => Buffer.concat([withLength(2, id), u32(r.ageAdd)]))));
      const binders = withLength(2, Buffer.concat(offered.map(() => withLength(1, Buffer.alloc(hashLen)))));
      message = handshake(HandshakeType.client_hello, head(Buffer.concat([...exts, ext(41, Buffer.concat([identities, binders]))])));
      const truncated = message.subarray(0, message.length - binders.length);
      const e = earlySecrets('sha256', r.psk);
      this.earlySecret = e.earlySecret;
      const binder = hmac('sha256', e.binderFinishedKey, digest('sha256', truncated));
      if (this.o.fault === 'bad-binder') binder[0]! ^= 1;
      binder.copy(message, message.length - hashLen); // the last binder is the ticket's
    } else {
      message = handshake(HandshakeType.client_hello, head(Buffer.concat(exts)));
    }
    this.transcript.push(message);
    return plainRecord(ContentType.handshake, message);
  }

  /** Reads the server's first flight; returns the client's flight. */
  flight(records: Buffer): Buffer {
    const { records: list } = splitRecords(records);
    const sh = list[0]!;
    if (sh.type !== ContentType.handshake) throw new Error(`server answered with record type ${sh.type}`);
    this.transcript.push(sh.body);
    const r = new Reader(sh.body, 4);
    r.u16('v');
    r.bytes(32, 'random');
    r.vector(1, 'sid');
    this.suiteId = r.u16('suite');
    r.u8('compression');
    const exts = r.sub(2, 'exts');
    let serverShare: Buffer | undefined;
    while (exts.remaining > 0) {
      const type = exts.u16('type');
      const body = exts.vector(2, 'ext');
      if (type === 51) serverShare = new Reader(body, 2).vector(2, 'key');
      if (type === 41) this.resumed = true;
    }
    const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: serverShare!.toString('base64url') }, format: 'jwk' });
    const shared = diffieHellman({ privateKey: this.x25519.privateKey, publicKey: peer });
    const secrets = handshakeSecrets(this.h, shared, this.hash(), this.resumed ? this.earlySecret : undefined);
    this.clientHs = secrets.clientHandshake;
    this.master = secrets.master;
    this.serverHsKeys = new RecordProtection(suite(this.suiteId), secrets.serverHandshake);
    const reader = new HandshakeReader(1 << 16);
    for (const rec of list.slice(1)) {
      if (rec.type === ContentType.change_cipher_spec) continue;
      const { content } = this.serverHsKeys.open(rec);
      reader.add(content);
    }
    for (let m = reader.next(); m; m = reader.next()) this.transcript.push(m.message);
    const afterServerFinished = this.hash();
    this.serverAppKeys = new RecordProtection(suite(this.suiteId), deriveSecret(this.h, this.master, 's ap traffic', afterServerFinished));
    this.exporter = deriveSecret(this.h, this.master, 'exp master', afterServerFinished);

    const out: Buffer[] = [];
    if (!this.resumed) {
      const extensions = this.o.fault === 'cert-extension' ? withLength(2, Buffer.from([0, 5, 0, 0])) : u16(0);
      const cert = handshake(HandshakeType.certificate, Buffer.concat([Buffer.from([0]), withLength(3, Buffer.concat(this.o.chain.map((d) => Buffer.concat([withLength(3, d), extensions]))))]));
      this.transcript.push(cert);
      out.push(cert);
      if (this.o.chain.length > 0 && this.o.fault !== 'no-cv') {
        const context = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from('TLS 1.3, client CertificateVerify\0', 'latin1'), this.hash()]);
        const key = this.o.fault === 'cv-wrong-key' ? this.o.otherKey! : this.o.key!;
        const pkcs1 = this.o.fault === 'cv-pkcs1';
        const signature = pkcs1 ? sign('sha256', context, key) : sign('sha256', context, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
        const cv = handshake(HandshakeType.certificate_verify, Buffer.concat([u16(pkcs1 ? 0x0401 : 0x0804), withLength(2, signature)]));
        this.transcript.push(cv);
        out.push(cv);
      }
    }
    const fin = handshake(HandshakeType.finished, finishedMac(this.h, this.clientHs, this.hash()));
    if (this.o.fault === 'bad-finished') fin[fin.length - 1]! ^= 1;
    this.transcript.push(fin);
    out.push(fin);
    const keys = new RecordProtection(suite(this.suiteId), this.clientHs);
    const all = Buffer.concat(out);
    const ccs = plainRecord(ContentType.change_cipher_spec, Buffer.from([1]));
    const records2 =
      this.o.fault === 'ccs-inside-message'
        ? [keys.seal(ContentType.handshake, all.subarray(0, 10)), ccs, keys.seal(ContentType.handshake, all.subarray(10))]
        : this.o.fault === 'empty-record'
          ? [ccs, keys.seal(ContentType.handshake, Buffer.alloc(0)), keys.seal(ContentType.handshake, all)]
          : [ccs, keys.seal(ContentType.handshake, all)];
    if (this.o.fault === 'flip-record') records2[records2.length - 1]![10]! ^= 1;
    if (this.o.fault === 'trailing-record') records2.push(keys.seal(ContentType.handshake, Buffer.from([20, 0, 0, 0])));
    return Buffer.concat(records2);
  }

  /** Reads the ticket and the commitment message. */
  final(records: Buffer): void {
    const resumptionMaster = deriveSecret(this.h, this.master!, 'res master', this.hash());
    for (const rec of splitRecords(records).records) {
      const { type, content } = this.serverAppKeys!.open(rec);
      if (type === ContentType.application_data) {
        this.committed = content.equals(Buffer.from([0]));
        continue;
      }
      const r = new Reader(content, 4);
      const lifetime = r.u32('lifetime');
      const ageAdd = r.u32('age_add');
      const nonce = r.vector(1, 'nonce');
      const identity = r.vector(2, 'ticket');
      this.ticket = { identity, psk: resumptionPsk(this.h, resumptionMaster, nonce), ageAdd, lifetime };
    }
  }

  /** The MSK as the client derives it (RFC 9190 2.3). */
  msk(): Buffer {
    return exportKeyingMaterial(this.h, this.exporter!, 'EXPORTER_EAP_TLS_Key_Material', Buffer.from([0x0d]), 128).subarray(0, 64);
  }
}

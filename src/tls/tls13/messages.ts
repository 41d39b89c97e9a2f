// TLS 1.3 handshake messages (RFC 8446 4): the ClientHello read in full, the client's Certificate,
// CertificateVerify and Finished read, and the server's messages written. Pure functions over
// Buffers; a malformed message is a TlsFault carrying the alert the RFC names.
import { Reader, fault, u16, u16List, u32, withLength } from './wire.js';

export const HandshakeType = {
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  encrypted_extensions: 8,
  certificate: 11,
  certificate_request: 13,
  certificate_verify: 15,
  finished: 20,
} as const;

export const ExtensionType = {
  supported_groups: 10,
  signature_algorithms: 13,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  psk_key_exchange_modes: 45,
  key_share: 51,
} as const;

export const TLS13 = 0x0304;
const TLS12 = 0x0303;
/** psk_key_exchange_modes: PSK with (EC)DHE, the only mode offered here (forward secrecy). */
export const PSK_DHE_KE = 1;

export interface KeyShareEntry {
  group: number;
  key: Buffer;
}

export interface OfferedPsk {
  identity: Buffer;
  obfuscatedAge: number;
}

export interface ClientHello {
  /** The whole handshake message, header included: the start of the transcript. */
  message: Buffer;
  random: Buffer;
  legacySessionId: Buffer;
  cipherSuites: number[];
  supportedVersions: number[];
  groups: number[];
  keyShares: KeyShareEntry[];
  signatureSchemes: number[];
  pskModes: number[];
  psk: { identities: OfferedPsk[]; binders: Buffer[]; truncatedLength: number } | undefined;
  earlyData: boolean;
}

/** A handshake message's 4-byte header and body. */
export function handshake(type: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out[0] = type;
  out.writeUIntBE(body.length, 1, 3);
  body.copy(out, 4);
  return out;
}

/**
 * Cuts whole handshake messages out of the handshake records received so far. The pieces of a
 * message are joined once, when it is complete: joining at every record would make a message sent
 * in many tiny records cost quadratic time.
 */
export class HandshakeReader {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxMessage: number) {}

  /** Whether a message has started and not yet ended (it must not span a key change). */
  get partial(): boolean {
    return this.size > 0;
  }

  add(bytes: Buffer): void {
    // RFC 8446 5.1: handshake records are never empty.
    if (bytes.length === 0) fault('unexpected_message', 'empty handshake record');
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  /** The next whole message (header included), or undefined until more bytes arrive. */
  next(): { type: number; message: Buffer; body: Buffer } | undefined {
    if (this.size < 4) return undefined;
    if (this.chunks[0]!.length < 4) this.join();
    const len = this.chunks[0]!.readUIntBE(1, 3);
    if (len > this.maxMessage) fault('decode_error', `a ${len}-byte handshake message`);
    if (this.size < 4 + len) return undefined;
    if (this.chunks[0]!.length < 4 + len) this.join();
    const first = this.chunks[0]!;
    const message = first.subarray(0, 4 + len);
    if (first.length > 4 + len) this.chunks[0] = first.subarray(4 + len);
    else this.chunks.shift();
    this.size -= 4 + len;
    return { type: message[0]!, message, body: message.subarray(4) };
  }

  private join(): void {
    this.chunks = [Buffer.concat(this.chunks, this.size)];
  }
}

/** RFC 8446 4.1.2 with the extensions a server acts on (4.2); others are skipped unread. */
export function parseClientHello(message: Buffer): ClientHello {
  const r = new Reader(message, 4);
  const legacyVersion = r.u16('legacy_version');
  if (legacyVersion < TLS12) fault('protocol_version', `legacy_version 0x${legacyVersion.toString(16)}`);
  const random = r.bytes(32, 'random');
  const legacySessionId = r.vector(1, 'legacy_session_id', 0, 32);
  const cipherSuites = u16List(r.vector(2, 'cipher_suites', 2), 'cipher_suites');
  const compression = r.vector(1, 'legacy_compression_methods', 1);
  const hello: ClientHello = {
    message,
    random,
    legacySessionId,
    cipherSuites,
    supportedVersions: [],
    groups: [],
    keyShares: [],
    signatureSchemes: [],
    pskModes: [],
    psk: undefined,
    earlyData: false,
  };
  if (r.remaining === 0) return hello; // no extensions: a TLS 1.2 (or older) client
  const ext = r.sub(2, 'extensions');
  r.done('ClientHello');
  const seen = new Set<number>();
  while (ext.remaining > 0) {
    const type = ext.u16('extension type');
    const body = ext.vector(2, 'extension');
    if (seen.has(type)) fault('illegal_parameter', `extension ${type} twice`);
    seen.add(type);
    const e = new Reader(body);
    switch (type) {
      case ExtensionType.supported_versions:
        hello.supportedVersions = u16List(e.vector(1, 'supported_versions', 2, 254), 'supported_versions');
        break;
      case ExtensionType.supported_groups:
        hello.groups = u16List(e.vector(2, 'supported_groups', 2), 'supported_groups');
        break;
      case ExtensionType.signature_algorithms:
        hello.signatureSchemes = u16List(e.vector(2, 'signature_algorithms', 2), 'signature_algorithms');
        break;
      case ExtensionType.psk_key_exchange_modes:
        hello.pskModes = [...e.vector(1, 'psk_key_exchange_modes', 1)];
        break;
      case ExtensionType.early_data:
        hello.earlyData = true;
        break;
      case ExtensionType.key_share: {
        const shares = e.sub(2, 'client_shares');
        const groups = new Set<number>();
        while (shares.remaining > 0) {
          const group = shares.u16('key share group');
          const key = shares.vector(2, 'key_exchange', 1);
          // RFC 8446 4.2.8: one share per group.
          if (groups.has(group)) fault('illegal_parameter', `two key shares for group ${group}`);
          groups.add(group);
          hello.keyShares.push({ group, key });
        }
        break;
      }
      case ExtensionType.pre_shared_key: {
        // RFC 8446 4.2.11: it must be the last extension; the binders close the message.
        if (ext.remaining !== 0) fault('illegal_parameter', 'pre_shared_key is not the last extension');
        const ids = e.sub(2, 'identities', 7);
        const identities: OfferedPsk[] = [];
        while (ids.remaining > 0) identities.push({ identity: ids.vector(2, 'identity', 1), obfuscatedAge: ids.u32('obfuscated_ticket_age') });
        const bindersAt = e.offset;
        const list = e.sub(2, 'binders', 33);
        const binders: Buffer[] = [];
        while (list.remaining > 0) binders.push(list.vector(1, 'binder', 32, 255));
        if (binders.length !== identities.length) fault('illegal_parameter', `${identities.length} PSK identities, ${binders.length} binders`);
        // Everything but the binders list: what each binder covers (4.2.11.2).
        hello.psk = { identities, binders, truncatedLength: message.length - (body.length - bindersAt) };
        break;
      }
      default:
        continue; // server_name, ALPN, status_request, padding…: nothing this server acts on
    }
    e.done(`extension ${type}`);
  }
  if (hello.supportedVersions.includes(TLS13) && !(compression.length === 1 && compression[0] === 0)) {
    fault('illegal_parameter', 'TLS 1.3 ClientHello with compression methods other than null');
  }
  return hello;
}

const extension = (type: number, body: Buffer): Buffer => Buffer.concat([u16(type), withLength(2, body)]);

export function serverHello(o: { random: Buffer; sessionIdEcho: Buffer; suite: number; keyShare: KeyShareEntry; pskIndex: number | undefined }): Buffer {
  const exts = [extension(ExtensionType.supported_versions, u16(TLS13)), extension(ExtensionType.key_share, Buffer.concat([u16(o.keyShare.group), withLength(2, o.keyShare.key)]))];
  if (o.pskIndex !== undefined) exts.push(extension(ExtensionType.pre_shared_key, u16(o.pskIndex)));
  return handshake(HandshakeType.server_hello, Buffer.concat([u16(TLS12), o.random, withLength(1, o.sessionIdEcho), u16(o.suite), Buffer.from([0]), withLength(2, Buffer.concat(exts))]));
}

/** No extensions: no ALPN, no early data, nothing else negotiated. */
export const encryptedExtensions = (): Buffer => handshake(HandshakeType.encrypted_extensions, withLength(2, Buffer.alloc(0)));

/** An empty request context (the handshake's only request) and the signature schemes accepted. */
export const certificateRequest = (schemes: readonly number[]): Buffer =>
  handshake(HandshakeType.certificate_request, Buffer.concat([Buffer.from([0]), withLength(2, extension(ExtensionType.signature_algorithms, withLength(2, Buffer.concat(schemes.map(u16)))))]));

export const certificate = (chain: readonly Buffer[]): Buffer =>
  handshake(HandshakeType.certificate, Buffer.concat([Buffer.from([0]), withLength(3, Buffer.concat(chain.map((der) => Buffer.concat([withLength(3, der), u16(0)]))))]));

export const certificateVerify = (scheme: number, signature: Buffer): Buffer => handshake(HandshakeType.certificate_verify, Buffer.concat([u16(scheme), withLength(2, signature)]));

export const finished = (verifyData: Buffer): Buffer => handshake(HandshakeType.finished, verifyData);

/** No extensions: in particular no early_data, so the client never sends 0-RTT data (RFC 9190 2.1.7). */
export const newSessionTicket = (o: { lifetime: number; ageAdd: number; nonce: Buffer; ticket: Buffer }): Buffer =>
  handshake(HandshakeType.new_session_ticket, Buffer.concat([u32(o.lifetime), u32(o.ageAdd), withLength(1, o.nonce), withLength(2, o.ticket), u16(0)]));

/** The client's certificate_list (leaf first, DER); the request context must be the empty one we sent. */
export function parseCertificate(body: Buffer): Buffer[] {
  const r = new Reader(body);
  if (r.vector(1, 'certificate_request_context').length !== 0) fault('illegal_parameter', 'certificate_request_context is not the one requested');
  const list = r.sub(3, 'certificate_list');
  r.done('Certificate');
  const chain: Buffer[] = [];
  while (list.remaining > 0) {
    chain.push(list.vector(3, 'cert_data', 1));
    // RFC 8446 4.4.2: a client's certificate extensions must answer ones we requested: none.
    if (list.vector(2, 'certificate extensions').length > 0) fault('unsupported_extension', 'certificate extensions nobody asked for');
  }
  return chain;
}

export function parseCertificateVerify(body: Buffer): { scheme: number; signature: Buffer } {
  const r = new Reader(body);
  const scheme = r.u16('algorithm');
  const signature = r.vector(2, 'signature', 1);
  r.done('CertificateVerify');
  return { scheme, signature };
}

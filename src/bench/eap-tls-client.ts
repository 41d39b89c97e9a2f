// The supplicant side of EAP-TLS (RFC 5216, RFC 9190) for the load generator, fed one reassembled
// server message at a time, with the same fragmentation layer the server uses. TLS 1.3 by
// certgate's client (tls13-client.ts) unless --tls-client openssl; TLS 1.2 by OpenSSL as a TLS
// client (node:tls) over an in-memory pipe. Pure EAP in, EAP out: RADIUS is the caller's.
import { type KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';
import tls from 'node:tls';
import { EapCode, EapType, type EapPacket, encodeEap } from '../eap/packet.js';
import { Reassembler, TlsFlag, decodeTlsFrame, encodeTlsFrame, fragment, isAck } from '../eap/tls-framing.js';
import { MemoryPipe } from '../tls/memory-pipe.js';
import { parseCertificates } from '../verify/cert-facts.js';
import { ServerAlert, Tls13Client, type Tls13Ticket, UntrustedServer } from './tls13-client.js';

export type TlsChoice = '1.2' | '1.3' | 'any';
/** Who runs the client side of TLS 1.3 (TLS 1.2, and `--tls any`, are always OpenSSL's). */
export type Tls13ClientChoice = 'certgate' | 'openssl';

/** What the peer needs for every login: parsed once for the whole run. */
export interface ClientTls {
  tls: TlsChoice;
  tls13Client: Tls13ClientChoice;
  /** node:tls's client context (certificate and key). */
  context: tls.SecureContext;
  /** Our chain (leaf first, DER) and key, for certgate's TLS 1.3 client. */
  chain: Buffer[];
  key: KeyObject;
  /** The server's chain (leaf first, DER) checked against --ca: the leaf's key, or why not. */
  checkServer: (chain: Buffer[], now: Date) => KeyObject | string;
}

/**
 * The CA is not given to OpenSSL: on a verified full handshake node:tls then builds the whole
 * peer chain as JS objects for checkServerIdentity (getPeerCertificate(true), 12 % of the load
 * generator's CPU in profiles). The peer checks the chain itself instead, signatures and dates,
 * and remembers the last server certificate that passed.
 */
export function makeClientTls(o: { ca: Buffer; cert: Buffer; key: Buffer; tls: TlsChoice; tls13Client?: Tls13ClientChoice }): ClientTls {
  let context: tls.SecureContext;
  let key: KeyObject;
  let chain: Buffer[];
  try {
    context = tls.createSecureContext({
      cert: o.cert,
      key: o.key,
      minVersion: o.tls === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
      maxVersion: o.tls === '1.2' ? 'TLSv1.2' : 'TLSv1.3',
    });
    key = createPrivateKey(o.key);
    chain = parseCertificates(o.cert);
  } catch (e) {
    throw new Error(`--cert/--key: not a certificate and its private key (${(e as Error).message})`);
  }
  let anchors: X509Certificate[];
  try {
    anchors = parseCertificates(o.ca).map((der) => new X509Certificate(der));
  } catch (e) {
    throw new Error(`--ca: a certificate does not parse (${(e as Error).message})`);
  }
  if (anchors.length === 0) throw new Error('--ca holds no certificate');
  let trusted: { der: Buffer; key: KeyObject; from: Date; to: Date } | undefined;
  const checkServer = (chain: Buffer[], now: Date): KeyObject | string => {
    const leafDer = chain[0];
    if (!leafDer) return 'the server sent no certificate';
    if (trusted?.der.equals(leafDer) && trusted.from <= now && now <= trusted.to) return trusted.key;
    let certs: X509Certificate[];
    try {
      certs = chain.slice(0, 8).map((der) => new X509Certificate(der));
    } catch {
      return 'the server certificate does not parse';
    }
    for (let i = 0; i < certs.length; i++) {
      const cur = certs[i]!;
      if (!inValidity(cur, now)) return `server certificate ${cur.subject.replaceAll('\n', ', ')} is outside its validity period`;
      if (anchors.some((a) => cur.checkIssued(a) && cur.verify(a.publicKey))) {
        const leaf = certs[0]!;
        trusted = { der: Buffer.from(leafDer), key: leaf.publicKey, from: new Date(leaf.validFrom), to: new Date(leaf.validTo) };
        return trusted.key;
      }
      const next = certs[i + 1];
      if (!next || !cur.checkIssued(next) || !cur.verify(next.publicKey)) break;
    }
    return 'server certificate chain does not lead to --ca';
  };
  return { tls: o.tls, tls13Client: o.tls13Client ?? 'certgate', context, chain, key, checkServer };
}

const inValidity = (c: X509Certificate, now: Date): boolean => new Date(c.validFrom) <= now && now <= new Date(c.validTo);

/** A session to offer again: OpenSSL's (TLS 1.2 session or TLS 1.3 ticket, DER) or a certgate client ticket. */
export type PeerSession = Buffer | Tls13Ticket;

/** The client side of TLS under EAP-TLS: whole server messages in, our flight out. */
interface PeerTls {
  hello(): Promise<Buffer>;
  /** A reassembled server message: what to send back (empty: nothing but an acknowledgement), or why the login stops. */
  receive(message: Buffer): Promise<Buffer | { error: string }>;
  readonly established: boolean;
  readonly resumed: boolean;
  readonly version: string | undefined;
  msk(): Buffer | undefined;
  readonly session: PeerSession | undefined;
  destroy(): void;
}

/** certgate's TLS 1.3 client (tls13-client.ts): synchronous, no stream plumbing. */
class CertgateTls13 implements PeerTls {
  private readonly client: Tls13Client;
  private refused = false;

  constructor(config: ClientTls, session: PeerSession | undefined) {
    this.client = new Tls13Client(config, session === undefined || Buffer.isBuffer(session) ? undefined : session);
  }

  hello(): Promise<Buffer> {
    return Promise.resolve(this.client.hello());
  }

  receive(message: Buffer): Promise<Buffer | { error: string }> {
    if (this.refused) return Promise.resolve({ error: 'TLS: server data after its alert' });
    try {
      return Promise.resolve(this.client.receive(message));
    } catch (e) {
      // A refusal (our certificate, say) comes as an alert: acknowledge it, as a supplicant does,
      // and let the server end the conversation with its Access-Reject.
      if (e instanceof ServerAlert) {
        this.refused = true;
        return Promise.resolve(Buffer.alloc(0));
      }
      const m = (e as Error).message;
      return Promise.resolve({ error: e instanceof UntrustedServer ? m : `TLS: ${m}` });
    }
  }

  get established(): boolean {
    return this.client.established && !this.refused;
  }

  get resumed(): boolean {
    return this.client.resumed;
  }

  get version(): string | undefined {
    return this.client.established ? 'TLSv1.3' : undefined;
  }

  msk(): Buffer | undefined {
    return this.client.msk();
  }

  get session(): PeerSession | undefined {
    return this.client.ticket;
  }

  destroy(): void {}
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** OpenSSL as the client (node:tls) over an in-memory pipe. */
class OpenSslTls implements PeerTls {
  private readonly pipe = new MemoryPipe();
  private readonly socket: tls.TLSSocket;
  private secure = false;
  private error: string | undefined;
  private untrusted: string | undefined;
  session: Buffer | undefined;

  constructor(config: ClientTls, session: PeerSession | undefined) {
    const socket = tls.connect({
      socket: this.pipe,
      secureContext: config.context,
      session: Buffer.isBuffer(session) ? session : undefined,
      // OpenSSL has no CA here (makeClientTls says why); the chain is checked on secureConnect.
      rejectUnauthorized: false,
    });
    socket.on('secureConnect', () => {
      // A resumed session was checked when it was made.
      const checked = socket.isSessionReused() ? undefined : config.checkServer(peerChain(socket), new Date());
      if (typeof checked !== 'string') this.secure = true;
      else {
        this.untrusted = checked;
        socket.destroy();
      }
    });
    socket.on('session', (s: Buffer) => {
      this.session = s;
    });
    socket.on('error', (e: Error) => {
      this.error ??= (e as NodeJS.ErrnoException).code ?? e.message;
    });
    // The TLS 1.3 commitment message (one byte 0x00) arrives as application data: read and drop.
    socket.on('data', () => undefined);
    this.socket = socket;
  }

  hello(): Promise<Buffer> {
    return this.collect(true);
  }

  async receive(message: Buffer): Promise<Buffer | { error: string }> {
    this.pipe.deliver(message);
    const out = await this.collect();
    // Never answer a server that failed the check, whatever OpenSSL wrote meanwhile.
    if (this.untrusted !== undefined) return { error: this.untrusted };
    if (this.error !== undefined && out.length === 0) return { error: `TLS: ${this.error}` };
    return out;
  }

  get established(): boolean {
    return this.secure;
  }

  get resumed(): boolean {
    return this.socket.isSessionReused();
  }

  get version(): string | undefined {
    return this.socket.getProtocol() ?? undefined;
  }

  /**
   * Key_Material = TLS exporter (RFC 5216 2.3 for TLS 1.2: no context; RFC 9190 2.3 for 1.3:
   * context 0x0D); MSK is its first 64 bytes.
   */
  msk(): Buffer | undefined {
    const s = this.socket;
    if (!this.secure) return undefined;
    const km =
      s.getProtocol() === 'TLSv1.3'
        ? s.exportKeyingMaterial(128, 'EXPORTER_EAP_TLS_Key_Material', Buffer.from([0x0d]))
        : (s.exportKeyingMaterial as (n: number, l: string, c?: Buffer) => Buffer).call(s, 128, 'client EAP encryption', undefined);
    return km.subarray(0, 64);
  }

  destroy(): void {
    this.socket.destroy();
    this.pipe.destroy();
  }

  /**
   * Everything OpenSSL writes in answer to the last input: done after two quiet event-loop turns
   * (node:tls over a JS stream flushes over several turns), or, for the ClientHello, once it came.
   */
  private async collect(mustWrite = false): Promise<Buffer> {
    for (let i = 0; i < 64; i++) {
      const before = this.pipe.writes;
      await nextTurn();
      await nextTurn();
      if (this.pipe.writes === before && (!mustWrite || before > 0)) break;
    }
    return this.pipe.collect();
  }
}

/** The peer's chain as DER, leaf first, as node:tls linked it. */
function peerChain(socket: tls.TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  for (let c = socket.getPeerX509Certificate(); c && chain.length < 8; c = c.issuerCertificate) {
    if (chain.length > 0 && c.raw.equals(chain.at(-1)!)) break;
    chain.push(c.raw);
  }
  return chain;
}

export type PeerStep = { kind: 'respond'; eap: Buffer } | { kind: 'error'; reason: string };

// A server message is bounded by what a sane EAP-TLS server sends in one flight.
const MAX_MESSAGE = 256 * 1024;

/**
 * One EAP-TLS conversation as the peer. `respond` takes each EAP-Request and gives the
 * EAP-Response to send; after Access-Accept, `msk()` gives the MSK to check the MPPE keys.
 */
export class EapTlsPeer {
  private engine: PeerTls | undefined;
  private readonly reassembler = new Reassembler(MAX_MESSAGE);
  private outgoing: Buffer[] = [];

  constructor(
    private readonly o: { tls: ClientTls; identity: string; fragmentSize: number; session: PeerSession | undefined },
  ) {}

  /** EAP-Response/Identity: what a supplicant answers the NAS's EAP-Request/Identity with. */
  identityResponse(identifier = 0): Buffer {
    return encodeEap(EapCode.Response, identifier, EapType.Identity, Buffer.from(this.o.identity, 'utf8'));
  }

  get established(): boolean {
    return this.engine?.established ?? false;
  }

  get resumed(): boolean {
    return this.engine?.resumed ?? false;
  }

  get version(): string | undefined {
    return this.engine?.version;
  }

  /** The newest session the server gave us (TLS 1.2 session or TLS 1.3 ticket), for --resume. */
  get session(): PeerSession | undefined {
    return this.engine?.session;
  }

  async respond(req: EapPacket): Promise<PeerStep> {
    const id = req.identifier;
    if (req.code !== EapCode.Request) return { kind: 'error', reason: `unexpected EAP code ${req.code}` };
    if (req.type === EapType.Identity) return { kind: 'respond', eap: this.identityResponse(id) };
    // Any other method: ask for EAP-TLS (legacy Nak, RFC 3748 5.3.1).
    if (req.type !== EapType.Tls) return { kind: 'respond', eap: encodeEap(EapCode.Response, id, EapType.Nak, Buffer.from([EapType.Tls])) };
    const decoded = decodeTlsFrame(req.data);
    if (!decoded.ok) return { kind: 'error', reason: decoded.reason };
    const frame = decoded.frame;

    if (frame.flags & TlsFlag.Start) {
      if (this.engine) return { kind: 'error', reason: 'second EAP-TLS Start' };
      const c = this.o.tls;
      this.engine = c.tls === '1.3' && c.tls13Client === 'certgate' ? new CertgateTls13(c, this.o.session) : new OpenSslTls(c, this.o.session);
      return this.send(id, await this.engine.hello());
    }
    if (!this.engine) return { kind: 'error', reason: 'EAP-TLS data before Start' };
    if (this.outgoing.length > 0) {
      if (!isAck(frame)) return { kind: 'error', reason: 'expected an ACK of our fragment' };
      return this.tls(id, this.outgoing.shift()!);
    }
    const r = this.reassembler.add(frame);
    if (r.status === 'error') return { kind: 'error', reason: r.reason };
    if (r.status === 'more') return this.tls(id, encodeTlsFrame(0, Buffer.alloc(0)));
    const out = await this.engine.receive(r.message);
    if (!Buffer.isBuffer(out)) return { kind: 'error', reason: out.error };
    // Nothing to say (server's last flight, TLS 1.3 commitment message): the empty response.
    return this.send(id, out);
  }

  msk(): Buffer | undefined {
    return this.engine?.msk();
  }

  destroy(): void {
    this.engine?.destroy();
  }

  private send(id: number, message: Buffer): PeerStep {
    if (message.length === 0) return this.tls(id, encodeTlsFrame(0, Buffer.alloc(0)));
    const [first, ...rest] = fragment(message, this.o.fragmentSize);
    this.outgoing = rest;
    return this.tls(id, first!);
  }

  private tls(id: number, typeData: Buffer): PeerStep {
    return { kind: 'respond', eap: encodeEap(EapCode.Response, id, EapType.Tls, typeData) };
  }
}

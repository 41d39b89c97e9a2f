// The supplicant side of EAP-TLS (RFC 5216, RFC 9190) for the load generator: OpenSSL as a TLS
// client (node:tls) over an in-memory pipe, fed one reassembled server message at a time, with
// the same fragmentation layer the server uses. Pure EAP in, EAP out: RADIUS is the caller's.
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { EapCode, EapType, type EapPacket, encodeEap } from '../eap/packet.js';
import { Reassembler, TlsFlag, decodeTlsFrame, encodeTlsFrame, fragment, isAck } from '../eap/tls-framing.js';
import { MemoryPipe } from '../tls/memory-pipe.js';
import { parseCertificates } from '../verify/cert-facts.js';

export type TlsChoice = '1.2' | '1.3' | 'any';

/** What the peer needs for every login: parsed once for the whole run. */
export interface ClientTls {
  context: tls.SecureContext;
  /** The server's chain checked against --ca; undefined when it holds, else why not. */
  checkServer: (leaf: X509Certificate | undefined, now: Date) => string | undefined;
}

/**
 * The CA is not given to OpenSSL: on a verified full handshake node:tls then builds the whole
 * peer chain as JS objects for checkServerIdentity (getPeerCertificate(true), 12 % of the load
 * generator's CPU in profiles). The peer checks the chain itself instead, signatures and dates,
 * and remembers the last server certificate that passed.
 */
export function makeClientTls(o: { ca: Buffer; cert: Buffer; key: Buffer; tls: TlsChoice }): ClientTls {
  let context: tls.SecureContext;
  try {
    context = tls.createSecureContext({
      cert: o.cert,
      key: o.key,
      minVersion: o.tls === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
      maxVersion: o.tls === '1.2' ? 'TLSv1.2' : 'TLSv1.3',
    });
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
  let trusted: Buffer | undefined;
  const checkServer = (leaf: X509Certificate | undefined, now: Date): string | undefined => {
    if (!leaf) return 'the server sent no certificate';
    if (trusted?.equals(leaf.raw) && inValidity(leaf, now)) return undefined;
    let cur = leaf;
    for (let depth = 0; depth < 8; depth++) {
      if (!inValidity(cur, now)) return `server certificate ${cur.subject.replaceAll('\n', ', ')} is outside its validity period`;
      const anchor = anchors.find((a) => cur.checkIssued(a) && cur.verify(a.publicKey));
      if (anchor) {
        trusted = Buffer.from(leaf.raw);
        return undefined;
      }
      const next = cur.issuerCertificate;
      if (!next || next.raw.equals(cur.raw) || !cur.checkIssued(next) || !cur.verify(next.publicKey)) break;
      cur = next;
    }
    return 'server certificate chain does not lead to --ca';
  };
  return { context, checkServer };
}

const inValidity = (c: X509Certificate, now: Date): boolean => new Date(c.validFrom) <= now && now <= new Date(c.validTo);

export type PeerStep = { kind: 'respond'; eap: Buffer } | { kind: 'error'; reason: string };

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
// A server message is bounded by what a sane EAP-TLS server sends in one flight.
const MAX_MESSAGE = 256 * 1024;

/**
 * One EAP-TLS conversation as the peer. `respond` takes each EAP-Request and gives the
 * EAP-Response to send; after Access-Accept, `keyMaterial()` gives the MSK to check the MPPE keys.
 */
export class EapTlsPeer {
  private readonly pipe = new MemoryPipe();
  private socket: tls.TLSSocket | undefined;
  private readonly reassembler = new Reassembler(MAX_MESSAGE);
  private outgoing: Buffer[] = [];
  private secure = false;
  private error: string | undefined;
  private untrusted: string | undefined;
  /** The newest session the server gave us (TLS 1.2 session or TLS 1.3 ticket), for --resume. */
  session: Buffer | undefined;

  constructor(
    private readonly o: { tls: ClientTls; identity: string; fragmentSize: number; session: Buffer | undefined },
  ) {}

  /** EAP-Response/Identity: what a supplicant answers the NAS's EAP-Request/Identity with. */
  identityResponse(identifier = 0): Buffer {
    return encodeEap(EapCode.Response, identifier, EapType.Identity, Buffer.from(this.o.identity, 'utf8'));
  }

  get established(): boolean {
    return this.secure;
  }

  get resumed(): boolean {
    return this.socket?.isSessionReused() ?? false;
  }

  get version(): string | undefined {
    return this.socket?.getProtocol() ?? undefined;
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
      if (this.socket) return { kind: 'error', reason: 'second EAP-TLS Start' };
      this.connect();
      return this.send(id, await this.collect(true));
    }
    if (!this.socket) return { kind: 'error', reason: 'EAP-TLS data before Start' };
    if (this.outgoing.length > 0) {
      if (!isAck(frame)) return { kind: 'error', reason: 'expected an ACK of our fragment' };
      return this.tls(id, this.outgoing.shift()!);
    }
    const r = this.reassembler.add(frame);
    if (r.status === 'error') return { kind: 'error', reason: r.reason };
    if (r.status === 'more') return this.tls(id, encodeTlsFrame(0, Buffer.alloc(0)));
    this.pipe.deliver(r.message);
    const out = await this.collect();
    // Never answer a server that failed the check, whatever OpenSSL wrote meanwhile.
    if (this.untrusted !== undefined) return { kind: 'error', reason: this.untrusted };
    if (this.error !== undefined && out.length === 0) return { kind: 'error', reason: `TLS: ${this.error}` };
    // Nothing to say (server's last flight, TLS 1.3 commitment message): the empty response.
    return this.send(id, out);
  }

  /**
   * Key_Material = TLS exporter (RFC 5216 2.3 for TLS 1.2: no context; RFC 9190 2.3 for 1.3:
   * context 0x0D); MSK is its first 64 bytes.
   */
  msk(): Buffer | undefined {
    const s = this.socket;
    if (!s || !this.secure) return undefined;
    const km =
      s.getProtocol() === 'TLSv1.3'
        ? s.exportKeyingMaterial(128, 'EXPORTER_EAP_TLS_Key_Material', Buffer.from([0x0d]))
        : (s.exportKeyingMaterial as (n: number, l: string, c?: Buffer) => Buffer).call(s, 128, 'client EAP encryption', undefined);
    return km.subarray(0, 64);
  }

  destroy(): void {
    this.socket?.destroy();
    this.pipe.destroy();
  }

  private connect(): void {
    const socket = tls.connect({
      socket: this.pipe,
      secureContext: this.o.tls.context,
      session: this.o.session,
      // OpenSSL has no CA here (makeClientTls says why); the chain is checked on secureConnect.
      rejectUnauthorized: false,
    });
    socket.on('secureConnect', () => {
      // A resumed session was checked when it was made.
      const untrusted = socket.isSessionReused() ? undefined : this.o.tls.checkServer(socket.getPeerX509Certificate(), new Date());
      if (untrusted === undefined) this.secure = true;
      else {
        this.untrusted = untrusted;
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

  private send(id: number, message: Buffer): PeerStep {
    if (message.length === 0) return this.tls(id, encodeTlsFrame(0, Buffer.alloc(0)));
    const [first, ...rest] = fragment(message, this.o.fragmentSize);
    this.outgoing = rest;
    return this.tls(id, first!);
  }

  private tls(id: number, typeData: Buffer): PeerStep {
    return { kind: 'respond', eap: encodeEap(EapCode.Response, id, EapType.Tls, typeData) };
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

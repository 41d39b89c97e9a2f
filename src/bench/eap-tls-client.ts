// The supplicant side of EAP-TLS (RFC 5216, RFC 9190) for the load generator: OpenSSL as a TLS
// client (node:tls) over an in-memory pipe, fed one reassembled server message at a time, with
// the same fragmentation layer the server uses. Pure EAP in, EAP out: RADIUS is the caller's.
import tls from 'node:tls';
import { EapCode, EapType, type EapPacket, encodeEap } from '../eap/packet.js';
import { Reassembler, TlsFlag, decodeTlsFrame, encodeTlsFrame, fragment, isAck } from '../eap/tls-framing.js';
import { MemoryPipe } from '../tls/memory-pipe.js';

export type TlsChoice = '1.2' | '1.3' | 'any';

/** One client SecureContext for the whole run: keys are parsed once, not per login. */
export function makeClientContext(o: { ca: Buffer; cert: Buffer; key: Buffer; tls: TlsChoice }): tls.SecureContext {
  return tls.createSecureContext({
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    minVersion: o.tls === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
    maxVersion: o.tls === '1.2' ? 'TLSv1.2' : 'TLSv1.3',
  });
}

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
  /** The newest session the server gave us (TLS 1.2 session or TLS 1.3 ticket), for --resume. */
  session: Buffer | undefined;

  constructor(
    private readonly o: { context: tls.SecureContext; identity: string; fragmentSize: number; session: Buffer | undefined },
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
      secureContext: this.o.context,
      session: this.o.session,
      rejectUnauthorized: true,
      // EAP-TLS has no host name to match; the chain is still verified against --ca.
      checkServerIdentity: () => undefined,
    });
    socket.on('secureConnect', () => {
      this.secure = true;
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

// The NAS side of RADIUS for the load generator: Access-Requests with Message-Authenticator over
// a few UDP sockets, identifiers handed out per socket, retransmission of the same bytes on
// timeout (RFC 5080 2.2.1: a retransmission keeps Identifier and Request Authenticator), and a
// reply accepted only when its Response Authenticator and Message-Authenticator check out.
import { randomPooled } from '../tls/random-pool.js';
import dgram from 'node:dgram';
import { verifyMessageAuthenticator, verifyResponseAuthenticator } from '../radius/authenticator.js';
import { Attr, type RadiusAttribute, type RadiusPacket, getAttribute } from '../radius/packet.js';
import { decodePacket } from '../radius/parser.js';
import { encodeAccessRequest } from '../radius/reply.js';
import type { RadiusCounters } from './stats.js';

export interface RadiusClientOptions {
  host: string;
  port: number;
  secret: Buffer;
  /** Wait this long for an answer before resending. */
  timeoutMs: number;
  /** Resends before the request counts as lost. */
  retries: number;
  /** Outstanding requests the client must be able to carry at once (sizes the socket pool). */
  maxOutstanding: number;
}

export interface Reply {
  packet: RadiusPacket;
  /** The Request Authenticator we sent: MPPE keys in the reply are encrypted with it. */
  requestAuthenticator: Buffer;
}

interface Pending {
  id: number;
  authenticator: Buffer;
  bytes: Buffer;
  tries: number;
  timer: NodeJS.Timeout | undefined;
  resolve: (r: Reply | undefined) => void;
}

// Up to 256 identifiers exist per source port; keep each socket at a quarter of that so an
// identifier is not reused while a late answer to its previous request may still arrive.
const PER_SOCKET = 64;

class Channel {
  readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(readonly socket: dgram.Socket) {}

  get free(): number {
    return PER_SOCKET - this.pending.size;
  }

  takeId(): number {
    for (let i = 0; i < 256; i++) {
      const id = this.nextId;
      this.nextId = (this.nextId + 1) & 0xff;
      if (!this.pending.has(id)) return id;
    }
    throw new Error('no free RADIUS identifier');
  }
}

export class RadiusClient {
  readonly counters: RadiusCounters = { requests: 0, retransmits: 0, badReplies: 0 };
  private readonly channels: Channel[] = [];
  private rr = 0;

  constructor(private readonly o: RadiusClientOptions) {}

  async open(): Promise<void> {
    const n = Math.max(1, Math.ceil(this.o.maxOutstanding / PER_SOCKET));
    const family = this.o.host.includes(':') ? 'udp6' : 'udp4';
    for (let i = 0; i < n; i++) {
      const socket = dgram.createSocket(family);
      const ch = new Channel(socket);
      socket.on('message', (msg) => this.onMessage(ch, msg));
      socket.on('error', () => undefined); // ICMP port unreachable and the like: the timer handles it
      // A connected UDP socket: the kernel routes once, and replies from elsewhere never reach us.
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(this.o.port, this.o.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      this.channels.push(ch);
    }
  }

  /**
   * Sends an Access-Request carrying `attributes` (Message-Authenticator is added first) and
   * resolves with the verified reply, or undefined when every try went unanswered.
   */
  request(attributes: RadiusAttribute[]): Promise<Reply | undefined> {
    const ch = this.pick();
    const id = ch.takeId();
    const authenticator = randomPooled(16);
    const bytes = encodeAccessRequest({ identifier: id, authenticator, attributes, secret: this.o.secret, messageAuthenticator: true });
    return new Promise((resolve) => {
      const p: Pending = { id, authenticator, bytes, tries: 0, timer: undefined, resolve };
      ch.pending.set(id, p);
      this.counters.requests++;
      this.transmit(ch, p);
    });
  }

  async close(): Promise<void> {
    for (const ch of this.channels) {
      for (const p of ch.pending.values()) {
        clearTimeout(p.timer);
        p.resolve(undefined);
      }
      ch.pending.clear();
    }
    await Promise.all(this.channels.map((ch) => new Promise<void>((r) => ch.socket.close(() => r()))));
    this.channels.length = 0;
  }

  private pick(): Channel {
    for (let i = 0; i < this.channels.length; i++) {
      const ch = this.channels[(this.rr + i) % this.channels.length]!;
      if (ch.free > 0) {
        this.rr = (this.rr + i + 1) % this.channels.length;
        return ch;
      }
    }
    throw new Error('more outstanding requests than the client was sized for');
  }

  private transmit(ch: Channel, p: Pending): void {
    if (p.tries > 0) this.counters.retransmits++;
    p.tries++;
    ch.socket.send(p.bytes);
    p.timer = setTimeout(() => {
      if (p.tries > this.o.retries) {
        ch.pending.delete(p.id);
        p.resolve(undefined);
      } else {
        this.transmit(ch, p);
      }
    }, this.o.timeoutMs);
  }

  private onMessage(ch: Channel, msg: Buffer): void {
    const d = decodePacket(msg);
    if (!d.ok) return void this.counters.badReplies++;
    const p = ch.pending.get(d.packet.identifier);
    if (!p) return void this.counters.badReplies++;
    if (!verifyResponseAuthenticator(d.raw, p.authenticator, this.o.secret)) return void this.counters.badReplies++;
    if (d.messageAuthenticatorOffset >= 0) {
      if (!verifyMessageAuthenticator(d.raw, d.messageAuthenticatorOffset, this.o.secret, p.authenticator)) return void this.counters.badReplies++;
    } else if (getAttribute(d.packet, Attr.EapMessage)) {
      // RFC 3579 3.2: a reply carrying EAP-Message without Message-Authenticator is discarded.
      return void this.counters.badReplies++;
    }
    clearTimeout(p.timer);
    ch.pending.delete(p.id);
    p.resolve({ packet: d.packet, requestAuthenticator: p.authenticator });
  }
}

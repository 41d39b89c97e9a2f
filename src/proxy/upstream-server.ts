// One upstream RADIUS server: its channels (sockets or TLS connections, 256 identifiers each),
// the requests outstanding on them, retransmission (UDP only), answer checks, liveness and
// Status-Server probing while it is dead.
import { randomBytes } from 'node:crypto';
import { verifyMessageAuthenticator, verifyResponseAuthenticator } from '../radius/authenticator.js';
import { Code, type RadiusAttribute, type RadiusPacket } from '../radius/packet.js';
import { decodePacket } from '../radius/parser.js';
import { encodeAccessRequest } from '../radius/reply.js';
import type { Channel, ChannelFactory } from './channel.js';
import { IdSpace } from './id-space.js';
import { Liveness } from './liveness.js';

export type ExchangeResult =
  | { kind: 'reply'; packet: RadiusPacket; requestAuthenticator: Buffer }
  /** No valid answer after every try (UDP) or within the timeout (RadSec). */
  | { kind: 'timeout' }
  /** Every identifier of every allowed channel is in use. */
  | { kind: 'busy' }
  /** The TLS connection broke while the request was outstanding. */
  | { kind: 'connection_lost' }
  /** The request cannot be encoded (too long once our attributes are added). */
  | { kind: 'unsendable'; reason: string };

export interface UpstreamObserver {
  /** An answer that was not accepted (no matching request, bad authenticator, ...). */
  dropped(server: string, reason: string): void;
  /** Liveness changed. */
  state(server: string, up: boolean): void;
}

export interface UpstreamServerOptions {
  /** Label in metrics and logs, e.g. "192.0.2.10:1812" or "radsec:192.0.2.10:2083". */
  name: string;
  secret: Buffer;
  channel: ChannelFactory;
  timeoutMs: number;
  /** Transmissions per request on unreliable channels; reliable channels send once. */
  tries: number;
  maxChannels: number;
  probeIntervalMs: number;
  clock: () => number;
  observer: UpstreamObserver;
}

interface Pending {
  code: number;
  authenticator: Buffer;
  settle(r: ExchangeResult): void;
}

class Slot {
  readonly ids = new IdSpace();
  readonly pending = new Map<number, Pending>();
  open = true;
  constructor(public channel: Channel) {}
}

export class UpstreamServer {
  readonly name: string;
  readonly secret: Buffer;
  private readonly liveness: Liveness;
  private slots: Slot[] = [];
  private outstandingCount = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;

  constructor(private readonly o: UpstreamServerOptions) {
    this.name = o.name;
    this.secret = o.secret;
    this.liveness = new Liveness(o.probeIntervalMs);
  }

  get up(): boolean {
    return this.liveness.up;
  }

  get outstanding(): number {
    return this.outstandingCount;
  }

  get capacity(): number {
    return this.o.maxChannels * 256;
  }

  /**
   * Sends one request (a fresh Identifier and Request Authenticator, Message-Authenticator first)
   * and resolves with the checked answer or why there is none. Never rejects.
   */
  exchange(code: number, attributes: RadiusAttribute[]): Promise<ExchangeResult> {
    if (this.closed) return Promise.resolve({ kind: 'connection_lost' });
    const slot = this.slotWithFreeId();
    if (!slot) return Promise.resolve({ kind: 'busy' });
    const id = slot.ids.take()!;
    const authenticator = randomBytes(16);
    let packet: Buffer;
    try {
      packet = encodeAccessRequest({ code, identifier: id, authenticator, attributes, secret: this.secret, messageAuthenticator: true });
    } catch (e) {
      slot.ids.release(id);
      return Promise.resolve({ kind: 'unsendable', reason: (e as Error).message });
    }
    const reliable = slot.channel.reliable;
    let triesLeft = reliable ? 1 : this.o.tries;
    this.outstandingCount++;
    return new Promise<ExchangeResult>((resolve) => {
      let timer: NodeJS.Timeout;
      const settle = (r: ExchangeResult) => {
        clearTimeout(timer);
        slot.pending.delete(id);
        slot.ids.release(id);
        this.outstandingCount--;
        resolve(r);
      };
      const onTimeout = () => {
        if (--triesLeft > 0 && slot.open) {
          // RFC 5080 2.2.1: a retransmission keeps the Identifier and the Request Authenticator.
          slot.channel.send(packet);
          timer = setTimeout(onTimeout, this.o.timeoutMs);
          return;
        }
        settle({ kind: 'timeout' });
        // A TLS connection that leaves a request unanswered is not trusted further (RFC 6614 2.5).
        if (reliable) this.dropSlot(slot, 'request timed out');
        if (this.liveness.unanswered(this.o.clock())) this.changed();
      };
      slot.pending.set(id, { code, authenticator, settle });
      slot.channel.send(packet);
      timer = setTimeout(onTimeout, this.o.timeoutMs);
    });
  }

  close(): void {
    this.closed = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    for (const s of [...this.slots]) this.dropSlot(s, 'closing');
  }

  private slotWithFreeId(): Slot | undefined {
    const free = this.slots.find((s) => s.open && !s.ids.full);
    if (free) return free;
    if (this.slots.length >= this.o.maxChannels) return undefined;
    const slot: Slot = new Slot(
      this.o.channel({
        packet: (data) => this.onPacket(slot, data),
        closed: (reason, established) => {
          this.dropSlot(slot, reason);
          // Refused or failed before TLS was up: as good as silent, so dead (and probed).
          if (!established && this.liveness.unanswered(this.o.clock())) this.changed();
        },
      }),
    );
    this.slots.push(slot);
    return slot;
  }

  private dropSlot(slot: Slot, _reason: string): void {
    if (!slot.open) return;
    slot.open = false;
    slot.channel.close();
    this.slots = this.slots.filter((s) => s !== slot);
    for (const p of [...slot.pending.values()]) p.settle({ kind: 'connection_lost' });
  }

  private onPacket(slot: Slot, data: Buffer): void {
    const d = decodePacket(data);
    if (!d.ok) return this.o.observer.dropped(this.name, 'malformed');
    const p = slot.pending.get(d.packet.identifier);
    if (!p) return this.o.observer.dropped(this.name, 'unexpected');
    // A forged or stale answer is dropped and the request stays outstanding.
    if (!verifyResponseAuthenticator(d.raw, p.authenticator, this.secret)) return this.o.observer.dropped(this.name, 'bad_authenticator');
    if (d.messageAuthenticatorOffset >= 0) {
      if (!verifyMessageAuthenticator(d.raw, d.messageAuthenticatorOffset, this.secret, p.authenticator)) {
        return this.o.observer.dropped(this.name, 'bad_message_authenticator');
      }
    } else if (p.code === Code.AccessRequest) {
      // BlastRADIUS / RFC 3579: every answer to an Access-Request must carry one.
      return this.o.observer.dropped(this.name, 'missing_message_authenticator');
    }
    if (this.liveness.answered()) this.changed();
    p.settle({ kind: 'reply', packet: d.packet, requestAuthenticator: p.authenticator });
  }

  private changed(): void {
    this.o.observer.state(this.name, this.liveness.up);
    if (this.liveness.up) {
      if (this.probeTimer) clearInterval(this.probeTimer);
      this.probeTimer = undefined;
    } else if (!this.probeTimer && !this.closed) {
      this.probeTimer = setInterval(() => this.probe(), Math.max(100, Math.floor(this.o.probeIntervalMs / 4)));
      this.probeTimer.unref();
    }
  }

  /** Status-Server (RFC 5997) to a dead server; any valid answer brings it back (see onPacket). */
  private probe(): void {
    if (this.probing || !this.liveness.probeDue(this.o.clock())) return;
    this.probing = true;
    void this.exchange(Code.StatusServer, []).finally(() => (this.probing = false));
  }
}

// Sends Disconnect-Requests (RFC 5176) and waits for the NAS's answer: retransmission of the same
// bytes (same Identifier and Request Authenticator, RFC 5080 2.2.1) with doubling timeouts, a
// bounded number of attempts, and a bounded number of requests outstanding. Replies are matched by
// source address, port and Identifier, and must carry a valid Response Authenticator.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type DisconnectTarget, decodeDisconnectReply, encodeDisconnectRequest, errorCauseName } from './codec.js';

export interface DisconnectSettings {
  /** Sends in all, the first included. */
  attempts: number;
  /** Wait after the first send; doubled after each retransmission. */
  timeoutMs: number;
  /** Requests outstanding at once (all NASes); more are refused with outcome `error`. */
  maxPending: number;
}

export type DisconnectOutcome =
  | { outcome: 'ack'; attempts: number }
  | { outcome: 'nak'; attempts: number; errorCause: number | null; errorCauseName: string }
  | { outcome: 'no_answer'; attempts: number }
  | { outcome: 'error'; attempts: number; message: string };

export interface Destination {
  address: string;
  port: number;
}

interface Pending {
  packet: Buffer;
  secret: Buffer;
  dest: Destination;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  resolve: (o: DisconnectOutcome) => void;
}

export class DisconnectClient {
  private readonly sockets = new Map<4 | 6, Promise<dgram.Socket>>();
  private readonly pending = new Map<string, Pending>();
  private readonly nextId = new Map<string, number>();
  private closed = false;

  constructor(
    public settings: DisconnectSettings,
    private readonly onInvalidReply: (why: string, from: Destination) => void = () => undefined,
  ) {}

  get outstanding(): number {
    return this.pending.size;
  }

  async send(dest: Destination, target: DisconnectTarget, secret: Buffer, now: Date = new Date()): Promise<DisconnectOutcome> {
    if (this.closed) return { outcome: 'error', attempts: 0, message: 'shutting down' };
    if (this.pending.size >= this.settings.maxPending) return { outcome: 'error', attempts: 0, message: `${this.settings.maxPending} Disconnect-Requests already outstanding` };
    const destKey = `${dest.address}|${dest.port}`;
    const id = this.freeIdentifier(destKey);
    if (id === undefined) return { outcome: 'error', attempts: 0, message: `256 Disconnect-Requests already outstanding to ${dest.address}:${dest.port}` };
    const packet = encodeDisconnectRequest(id, target, secret, now);
    const key = `${destKey}|${id}`;
    // Registered before anything is awaited: the limits above count it at once.
    const done = new Promise<DisconnectOutcome>((resolve) => this.pending.set(key, { packet, secret, dest, attempts: 0, timer: undefined, resolve }));
    let socket: dgram.Socket;
    try {
      socket = await this.socket(isIPv6(dest.address) ? 6 : 4);
    } catch (e) {
      this.finish(key, { outcome: 'error', attempts: 0, message: `cannot open a UDP socket: ${(e as Error).message}` });
      return done;
    }
    const p = this.pending.get(key);
    if (!p) return done; // finished meanwhile (closed)
    const attempt = () => {
      if (p.attempts >= this.settings.attempts) return this.finish(key, { outcome: 'no_answer', attempts: p.attempts });
      const wait = this.settings.timeoutMs * 2 ** p.attempts;
      p.attempts++;
      socket.send(packet, dest.port, dest.address, (err) => {
        if (err) this.finish(key, { outcome: 'error', attempts: p.attempts, message: err.message });
      });
      p.timer = setTimeout(attempt, wait);
      p.timer.unref();
    };
    attempt();
    return done;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const key of [...this.pending.keys()]) this.finish(key, { outcome: 'error', attempts: this.pending.get(key)!.attempts, message: 'shutting down' });
    for (const s of this.sockets.values()) {
      const socket = await s.catch(() => undefined);
      await new Promise<void>((r) => (socket ? socket.close(() => r()) : r()));
    }
    this.sockets.clear();
  }

  private finish(key: string, o: DisconnectOutcome): void {
    const p = this.pending.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(key);
    p.resolve(o);
  }

  private freeIdentifier(destKey: string): number | undefined {
    const start = this.nextId.get(destKey) ?? Math.floor(Math.random() * 256);
    for (let i = 0; i < 256; i++) {
      const id = (start + i) & 0xff;
      if (!this.pending.has(`${destKey}|${id}`)) {
        this.nextId.set(destKey, (id + 1) & 0xff);
        return id;
      }
    }
    return undefined;
  }

  private socket(family: 4 | 6): Promise<dgram.Socket> {
    let s = this.sockets.get(family);
    if (!s) {
      s = new Promise<dgram.Socket>((resolve, reject) => {
        const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
        socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
        socket.once('error', reject);
        socket.bind(0, () => {
          socket.off('error', reject);
          // A late error (e.g. ICMP unreachable on some platforms) must not crash the gateway.
          socket.on('error', () => undefined);
          socket.unref();
          resolve(socket);
        });
      });
      s.catch(() => this.sockets.delete(family));
      this.sockets.set(family, s);
    }
    return s;
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (msg.length < 20) return this.onInvalidReply('malformed', { address: rinfo.address, port: rinfo.port });
    const key = `${rinfo.address}|${rinfo.port}|${msg[1]}`;
    const p = this.pending.get(key);
    if (!p) return this.onInvalidReply('unexpected', { address: rinfo.address, port: rinfo.port });
    const r = decodeDisconnectReply(msg, p.packet, p.secret);
    if (!r.ok) return this.onInvalidReply(r.why, p.dest);
    this.finish(key, r.kind === 'ack' ? { outcome: 'ack', attempts: p.attempts } : { outcome: 'nak', attempts: p.attempts, errorCause: r.errorCause, errorCauseName: errorCauseName(r.errorCause) });
  }
}

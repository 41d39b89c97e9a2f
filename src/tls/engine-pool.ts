import { Worker } from 'node:worker_threads';
import type tls from 'node:tls';
import { type TlsSettings, makeServerContext, newTicketKeys } from './context.js';
import { LRUCache } from 'lru-cache';
import { clientHelloSessionId } from './client-hello.js';
import { type TlsHandshake, type TlsStep, TlsEngine } from './engine.js';
import { SessionCache } from './session-cache.js';
import { type FromWorker, type ToWorker, detach } from './worker-protocol.js';

/** Transferred arrays arrive as plain Uint8Arrays: view them as Buffers without a copy. */
const wrap = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;

interface Pending {
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
}

class TlsWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  active = 0;
  private seq = 0;

  constructor(url: URL, onExit: (err: Error) => void, onSession: (id: string) => void) {
    this.worker = new Worker(url);
    this.worker.on('message', (m: FromWorker) => {
      if (m.op === 'configured') return;
      if (m.op === 'session') return onSession(m.id);
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.op === 'error') p.reject(new Error(m.message));
      else p.resolve(m);
    });
    this.worker.on('error', onExit);
    this.worker.on('exit', (code) => {
      const err = new Error(`TLS worker exited with code ${code}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  call(m: WithoutSeq<Extract<ToWorker, { seq: number }>>): Promise<FromWorker> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      if (m.op === 'feed') {
        const records = detach(m.records);
        this.worker.postMessage({ ...m, records, seq } as ToWorker, [records.buffer as ArrayBuffer]);
      } else this.worker.postMessage({ ...m, seq } as ToWorker);
    });
  }

  post(m: ToWorker): void {
    this.worker.postMessage(m);
  }
}

/** A handshake living on a worker; this object is its handle on the main thread. */
class WorkerHandshake implements TlsHandshake {
  private destroyed = false;
  constructor(
    private readonly w: TlsWorker,
    private readonly id: number,
  ) {
    w.active++;
  }

  async feed(records: Buffer): Promise<TlsStep> {
    const m = await this.w.call({ op: 'feed', id: this.id, records });
    if (m.op !== 'step') throw new Error('unexpected worker answer');
    const s = m.step;
    // Buffers arrive as Uint8Arrays after the structured clone.
    const step: TlsStep = { ...s, output: wrap(s.output) };
    if (s.session) step.session = { ...s.session, msk: wrap(s.session.msk), peerChain: s.session.peerChain.map(wrap) };
    return step;
  }

  async commit(): Promise<Buffer> {
    const m = await this.w.call({ op: 'commit', id: this.id });
    if (m.op !== 'output') throw new Error('unexpected worker answer');
    return wrap(m.output);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.w.active--;
    this.w.post({ op: 'destroy', id: this.id });
  }
}

/**
 * Where handshakes run. With workers, each new conversation is pinned to the least busy worker
 * thread for its whole life, so OpenSSL's work spreads over every core while RADIUS, EAP framing
 * and the decision stay on the main thread. With 0 workers, everything runs in this thread.
 * All share one set of ticket keys, so a session resumes wherever it lands.
 */
export class HandshakePool {
  private readonly workers: TlsWorker[] = [];
  private context: tls.SecureContext | undefined;
  private sessions: SessionCache | undefined;
  /** TLS 1.2 session ID → the worker that can resume it (bounded like the workers' caches). */
  private readonly sessionOwner = new LRUCache<string, TlsWorker>({ max: 20_000 });
  private nextId = 0;

  constructor(
    private settings: TlsSettings,
    workerCount: number,
    private ticketKeys: Buffer = newTicketKeys(),
    onWorkerError: (err: Error) => void = () => undefined,
  ) {
    if (workerCount === 0) {
      this.context = makeServerContext(settings, ticketKeys);
      if (settings.sessionLifetimeSeconds > 0) this.sessions = new SessionCache(20_000, settings.sessionLifetimeSeconds);
    }
    const url = new URL('./worker.js', import.meta.url);
    for (let i = 0; i < workerCount; i++) {
      const w: TlsWorker = new TlsWorker(url, onWorkerError, (id) => this.sessionOwner.set(id, w));
      w.post({ op: 'configure', settings, ticketKeys });
      this.workers.push(w);
    }
  }

  get workerCount(): number {
    return this.workers.length;
  }

  /** Handshakes in progress per worker (for metrics). */
  activeByWorker(): number[] {
    return this.workers.map((w) => w.active);
  }

  /** `clientHello`: the peer's first TLS message; a resuming peer goes to the worker holding its session. */
  readonly newHandshake = (clientHello: Buffer): TlsHandshake => {
    if (this.workers.length === 0) return new TlsEngine(this.context!, this.sessions?.server);
    const id = clientHelloSessionId(clientHello);
    let best = (id && this.sessionOwner.get(id)) || this.workers[0]!;
    if (!id || !this.sessionOwner.has(id)) for (const w of this.workers) if (w.active < best.active) best = w;
    return new WorkerHandshake(best, ++this.nextId);
  };

  /**
   * New certificate/key or ticket keys: validated here first (a bad key file throws and nothing
   * changes), then every worker switches for handshakes that start from now on.
   */
  reconfigure(settings: TlsSettings, ticketKeys: Buffer = this.ticketKeys): void {
    const context = makeServerContext(settings, ticketKeys);
    this.settings = settings;
    this.ticketKeys = ticketKeys;
    if (this.workers.length === 0) this.context = context;
    if (this.sessions && settings.sessionLifetimeSeconds === 0) this.sessions = undefined;
    for (const w of this.workers) w.post({ op: 'configure', settings, ticketKeys });
  }

  /** Ticket key rotation: sessions issued under the old keys fall back to a full handshake. */
  rotateTicketKeys(): void {
    this.reconfigure(this.settings, newTicketKeys());
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }
}

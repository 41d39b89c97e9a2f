import { Worker } from 'node:worker_threads';
import { type TlsSettings, newTicketKeys } from './context.js';
import { LRUCache } from 'lru-cache';
import { clientHelloSessionId } from './client-hello.js';
import type { TlsHandshake, TlsStep } from './engine.js';
import { HandshakeFactory, type RouteLabel, routeLabel } from './handshake-factory.js';
import { SESSION_CACHE_MAX, SessionCache } from './session-cache.js';
import { Placement } from './placement.js';
import { performance } from 'node:perf_hooks';
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

  constructor(url: URL, onExit: (err: Error) => void, onSession: (id: string) => void, onRoute: (r: RouteLabel) => void) {
    this.worker = new Worker(url);
    this.worker.on('message', (m: FromWorker) => {
      if (m.op === 'configured') return;
      if (m.op === 'session') return onSession(m.id);
      if (m.op === 'step' && m.route) onRoute(m.route);
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
    // The worker forgets a handshake once it is over; no destroy message is needed then.
    if (s.state !== 'handshaking') this.release();
    // Buffers arrive as Uint8Arrays after the structured clone.
    const step: TlsStep = { ...s, output: wrap(s.output) };
    if (s.session) {
      step.session = { ...s.session, msk: wrap(s.session.msk), peerChain: s.session.peerChain.map(wrap) };
      if (s.session.peerLeafSha256) step.session.peerLeafSha256 = wrap(s.session.peerLeafSha256);
    }
    return step;
  }

  destroy(): void {
    if (this.release()) this.w.post({ op: 'destroy', id: this.id });
  }

  /** Whether this call ended the handshake's claim on its worker. */
  private release(): boolean {
    if (this.destroyed) return false;
    this.destroyed = true;
    this.w.active--;
    return true;
  }
}

/**
 * Where handshakes run. Each new conversation is placed once, for its whole life: on the main
 * thread or on the least busy worker thread, as the Placement decides (placement.ts: main thread
 * while it has headroom, workers as it fills). With 0 workers, or `workers` mode, the choice is
 * fixed. All share one set of ticket keys, so a session resumes wherever it lands; a TLS 1.2
 * session ID resumes only where it was made, so a resuming peer is sent there.
 */
export class HandshakePool {
  private readonly workers: TlsWorker[] = [];
  private factory: HandshakeFactory;
  private sessions: SessionCache | undefined;
  /** TLS 1.2 session ID → the thread that can resume it (bounded like the caches themselves). */
  private readonly sessionOwner = new LRUCache<string, TlsWorker | 'main'>({ max: SESSION_CACHE_MAX });
  private readonly placement: Placement | undefined;
  private nextId = 0;
  /** Handshakes started, by thread (for metrics). */
  readonly started = { main: 0, worker: 0 };
  /** Handshakes started, by TLS server and why it took them (for metrics; a dozen keys at most). */
  readonly routes = new Map<string, RouteLabel & { count: number }>();

  constructor(
    private settings: TlsSettings,
    workerCount: number,
    private ticketKeys: Buffer = newTicketKeys(),
    onWorkerError: (err: Error) => void = () => undefined,
    /** `workers`: every handshake on a worker (no main-thread TLS at all). */
    placement: Placement | 'workers' = new Placement(),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.placement = placement === 'workers' ? undefined : placement;
    this.sessions = this.newSessionCache(settings);
    this.factory = new HandshakeFactory(settings, ticketKeys, this.sessions);
    const url = new URL('./worker.js', import.meta.url);
    for (let i = 0; i < workerCount; i++) {
      const w: TlsWorker = new TlsWorker(url, onWorkerError, (id) => this.sessionOwner.set(id, w), (r) => this.count(r));
      w.post({ op: 'configure', settings, ticketKeys });
      this.workers.push(w);
    }
  }

  get workerCount(): number {
    return this.workers.length;
  }

  /** Share of new handshakes the main thread keeps now (1 without workers, 0 in `workers` mode). */
  get inlineShare(): number {
    if (this.workers.length === 0) return 1;
    return this.placement?.share ?? 0;
  }

  /** TLS 1.2 session IDs known to be resumable, on any thread (for metrics; bounded by SESSION_CACHE_MAX). */
  get sessionIds(): number {
    return this.sessionOwner.size;
  }

  /** Client public keys the main thread's TLS 1.3 server has cached (for metrics; bounded by PEER_KEY_CACHE_MAX per thread). */
  get clientKeysCached(): number {
    return this.factory.peerKeysCached;
  }

  /** Handshakes in progress per worker (for metrics). */
  activeByWorker(): number[] {
    return this.workers.map((w) => w.active);
  }

  /** `clientHello`: the peer's first TLS message; a resuming peer goes to the thread holding its session. */
  readonly newHandshake = (clientHello: Buffer): TlsHandshake => {
    const id = clientHelloSessionId(clientHello);
    const owner = id === undefined ? undefined : this.sessionOwner.get(id);
    let where: TlsWorker | 'main';
    if (this.workers.length === 0 || owner === 'main') where = 'main';
    else if (owner) where = owner;
    else if (this.placement?.inline(this.now())) where = 'main';
    else where = this.workers.reduce((best, w) => (w.active < best.active ? w : best));
    if (where === 'main') {
      this.started.main++;
      // A worker routes its own handshakes (and reports how in its first step).
      const route = this.factory.route(clientHello);
      this.count(routeLabel(route));
      return this.factory.open(clientHello, route);
    }
    this.started.worker++;
    return new WorkerHandshake(where, ++this.nextId);
  };

  private count(r: RouteLabel): void {
    const key = `${r.server}:${r.why}`;
    const counted = this.routes.get(key);
    if (counted) counted.count++;
    else this.routes.set(key, { ...r, count: 1 });
  }

  /**
   * New certificate/key or ticket keys: validated here first (a bad key file throws and nothing
   * changes), then every worker switches for handshakes that start from now on.
   */
  reconfigure(settings: TlsSettings, ticketKeys: Buffer = this.ticketKeys): void {
    const sessions = settings.sessionLifetimeSeconds === 0 ? undefined : (this.sessions ?? this.newSessionCache(settings));
    this.factory = new HandshakeFactory(settings, ticketKeys, sessions);
    this.settings = settings;
    this.ticketKeys = ticketKeys;
    this.sessions = sessions;
    for (const w of this.workers) w.post({ op: 'configure', settings, ticketKeys });
  }

  private newSessionCache(settings: TlsSettings): SessionCache | undefined {
    if (settings.sessionLifetimeSeconds === 0) return undefined;
    return new SessionCache(SESSION_CACHE_MAX, settings.sessionLifetimeSeconds, (id) => this.sessionOwner.set(id, 'main'));
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

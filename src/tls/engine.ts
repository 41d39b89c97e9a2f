import tls from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { MemoryPipe } from './memory-pipe.js';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/** What the EAP layer needs once the handshake is done: plain data, so it can cross a thread. */
export interface EstablishedSession {
  version: TlsVersion;
  resumed: boolean;
  /** The peer's certificates, leaf first, DER (on resumption: the leaf the session remembers). */
  peerChain: Buffer[];
  /**
   * A session resumed from certgate's own TLS 1.3 ticket remembers only the SHA-256 of the leaf
   * (tls13/tickets.ts); peerChain is then empty until the certificate is read from the store.
   */
  peerLeafSha256?: Buffer;
  /** MSK (first 64 bytes of Key_Material); EMSK is never needed by certgate. */
  msk: Buffer;
}

export interface TlsStep {
  /** TLS records OpenSSL produced in answer to the input (possibly empty). */
  output: Buffer;
  /** After 'established' or 'failed' the handshake is over: nothing more may be fed. */
  state: 'handshaking' | 'established' | 'failed';
  error?: string;
  /** A failure the decision has a reason for (else the EAP layer says tls_failed). */
  reason?: 'no_certificate';
  /** Present on the step where the handshake completes. */
  session?: EstablishedSession;
}

/** One server-side handshake, wherever it runs (this thread, or a worker: see engine-pool.ts). */
export interface TlsHandshake {
  feed(records: Buffer): Promise<TlsStep>;
  destroy(): void;
}

/** TLS 1.3 commitment message (RFC 9190 2.5): one application-data record holding 0x00. */
const COMMITMENT = Buffer.from([0]);

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A server-side TLS handshake run by OpenSSL (node:tls) over an in-memory pipe. The EAP layer feeds
 * it one reassembled peer message at a time and gets back everything OpenSSL wrote in answer.
 */
export class TlsEngine implements TlsHandshake {
  private readonly pipe = new MemoryPipe();
  private readonly socket: tls.TLSSocket;
  private established = false;
  private error: string | undefined;

  /** `sessions`: a session-ID cache for TLS 1.2 resumption (session-cache.ts, sessionsFor); tickets need none. */
  constructor(context: tls.SecureContext, sessions?: tls.Server) {
    this.socket = new tls.TLSSocket(this.pipe, {
      isServer: true,
      secureContext: context,
      requestCert: true,
      rejectUnauthorized: false,
      ...(sessions ? { server: sessions } : {}),
    });
    this.socket.on('secure', () => {
      this.established = true;
    });
    this.socket.on('error', (e: Error) => {
      this.error ??= (e as NodeJS.ErrnoException).code ?? e.message;
    });
    // The peer has no business sending application data during EAP-TLS; read and discard it so
    // the stream never stalls.
    this.socket.on('data', () => undefined);
  }

  async feed(records: Buffer): Promise<TlsStep> {
    this.pipe.deliver(records);
    await this.settle();
    if (this.error !== undefined) return { output: this.pipe.collect(), state: 'failed', error: this.error };
    if (!this.established) return { output: this.pipe.collect(), state: 'handshaking' };
    const session = this.session();
    // TLS 1.3: the commitment goes out in the same flight as the tickets, so the handshake needs
    // no further step (or thread hop). It is written before the decision: on a reject the EAP
    // layer sends EAP-Failure and this flight is never sent.
    if (session.version === 'TLSv1.3') {
      this.socket.write(COMMITMENT);
      await this.settle();
    }
    return { output: this.pipe.collect(), state: 'established', session };
  }

  destroy(): void {
    this.socket.destroy();
    this.pipe.destroy();
  }

  private session(): EstablishedSession {
    const v = this.socket.getProtocol();
    const version: TlsVersion = v === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2';
    // Key_Material (128 bytes), MSK = the first 64. TLS 1.2: RFC 5705 exporter, label "client EAP
    // encryption", NO context (an empty context gives different keys; RFC 5216 2.3). TLS 1.3: label
    // "EXPORTER_EAP_TLS_Key_Material", context 0x0D (RFC 9190 2.3).
    const km =
      version === 'TLSv1.3'
        ? this.socket.exportKeyingMaterial(128, 'EXPORTER_EAP_TLS_Key_Material', Buffer.from([0x0d]))
        : exportWithoutContext(this.socket, 128, 'client EAP encryption');
    return { version, resumed: this.socket.isSessionReused(), peerChain: this.peerChain(), msk: Buffer.from(km.subarray(0, 64)) };
  }

  /**
   * Through X509Certificate objects, not getPeerCertificate(true): that builds a detailed JS object
   * per certificate (names, SANs, fingerprints) and cost 11-17 % of a worker's time in profiles.
   */
  private peerChain(): Buffer[] {
    const out: Buffer[] = [];
    const seen = new Set<string>();
    let c: X509Certificate | undefined = this.socket.getPeerX509Certificate();
    while (c && !seen.has(c.fingerprint256)) {
      seen.add(c.fingerprint256);
      out.push(c.raw);
      c = c.issuerCertificate;
    }
    return out;
  }

  /**
   * Waits until OpenSSL stops writing. node:tls over a JS stream completes each write on a later
   * event-loop turn and only then flushes more, so one input can produce output over several
   * turns; two quiet turns in a row mean it is done (bounded, in case of a bug).
   */
  private async settle(): Promise<void> {
    for (let i = 0; i < 64; i++) {
      const before = this.pipe.writes;
      await nextTurn();
      await nextTurn();
      if (this.pipe.writes === before) return;
    }
  }
}

/** Node passes "no context" to OpenSSL only when the argument is undefined; its types insist on one. */
const exportWithoutContext = (s: tls.TLSSocket, length: number, label: string): Buffer =>
  (s.exportKeyingMaterial as (length: number, label: string, context?: Buffer) => Buffer).call(s, length, label, undefined);

import type { EstablishedSession, TlsHandshake, TlsStep } from '../tls/engine.js';
import type { Decision } from '../verify/reasons.js';
import { reject } from '../verify/reasons.js';
import { type TlsFrame, Reassembler, TlsFlag, encodeTlsFrame, fragment, isAck } from './tls-framing.js';

/** What the EAP-TLS method asks of the rest of certgate once the handshake is done. */
export type Authorize = (chain: Buffer[]) => Promise<Decision>;

export interface TlsMethodSettings {
  /** Starts a handshake (in this thread or on a worker); called on the first TLS message only. */
  newHandshake: (clientHello: Buffer) => TlsHandshake;
  maxMessageBytes: number;
  /** The issued certificate with this SHA-256, for sessions resumed from a ticket that holds only that (tls/tls13/tickets.ts). */
  certificateBySha256?: ((sha256: Buffer) => Buffer | undefined) | undefined;
}

/** The method's answer to one peer message: EAP-TLS Type-Data to send, or the end. */
export type MethodStep =
  | { kind: 'send'; typeData: Buffer }
  | { kind: 'accept'; decision: Decision; msk: Buffer }
  | { kind: 'reject'; decision: Decision };

type Phase = 'handshake' | 'finishing' | 'failing';

/**
 * EAP-TLS (RFC 5216, RFC 9190) over the fragmentation layer. No TLS state exists until the first
 * TLS message arrives, so an abandoned login after the Start costs a few hundred bytes.
 */
export class TlsMethod {
  private engine: TlsHandshake | undefined;
  private session: EstablishedSession | undefined;
  private readonly reassembler: Reassembler;
  private outgoing: Buffer[] = [];
  private phase: Phase = 'handshake';
  private outcome: Decision | undefined;
  private msk: Buffer | undefined;

  constructor(private readonly settings: TlsMethodSettings) {
    this.reassembler = new Reassembler(settings.maxMessageBytes);
  }

  static start(): Buffer {
    return encodeTlsFrame(TlsFlag.Start, Buffer.alloc(0));
  }

  get tlsVersion(): EstablishedSession['version'] | undefined {
    return this.session?.version;
  }

  get resumed(): boolean {
    return this.session?.resumed ?? false;
  }

  async step(frame: TlsFrame, fragmentSize: number, authorize: Authorize): Promise<MethodStep> {
    // We are sending a fragmented message: the peer must ACK each fragment.
    if (this.outgoing.length > 0) {
      if (!isAck(frame)) return { kind: 'reject', decision: reject('eap_protocol', { detail: 'expected an ACK of our fragment' }) };
      return { kind: 'send', typeData: this.outgoing.shift()! };
    }
    if (this.phase === 'finishing') {
      // Our last flight is out; the peer's empty response confirms it (RFC 5216 2.1.5, RFC 9190 2.5).
      // (The handshake is over, so TLS data here can only be an alert.)
      if (frame.payload.length > 0) return { kind: 'reject', decision: reject('tls_failed', { detail: 'peer answered the final flight with TLS data' }) };
      return { kind: 'accept', decision: this.outcome!, msk: this.msk! };
    }
    if (this.phase === 'failing') return { kind: 'reject', decision: this.outcome! };

    const r = this.reassembler.add(frame);
    if (r.status === 'error') return { kind: 'reject', decision: reject('eap_protocol', { detail: r.reason }) };
    if (r.status === 'more') return { kind: 'send', typeData: encodeTlsFrame(0, Buffer.alloc(0)) };

    const step = await this.feed(r.message);
    if (step.state === 'failed') return this.tlsFailed(step, step.error ?? 'handshake failed', fragmentSize, step.reason);
    if (step.state === 'handshaking') {
      if (step.output.length === 0) return { kind: 'reject', decision: reject('tls_failed', { detail: 'TLS produced no answer' }) };
      return this.send(step.output, fragmentSize);
    }

    // Handshake done: the peer has proven possession of its key; now decide. A resumed session is
    // decided again on the certificate it remembers (RFC 9190 5.7): a revocation since is seen.
    const session = step.session!;
    this.session = session;
    const chain = this.peerChain(session);
    const decision = chain ? await authorize(chain) : reject('not_issued', { detail: "the resumed session's certificate is not in the issued-certificate store" });
    if (decision.result === 'reject') return { kind: 'reject', decision };
    this.outcome = decision;
    this.msk = session.msk;
    // The final flight (TLS 1.3: tickets and the commitment message). A resumed TLS 1.2 session
    // ends with the peer's Finished: nothing left to send (RFC 5216 2.1.3).
    if (step.output.length === 0) return { kind: 'accept', decision, msk: this.msk };
    this.phase = 'finishing';
    return this.send(step.output, fragmentSize);
  }

  destroy(): void {
    this.engine?.destroy();
    this.engine = undefined;
  }

  /** The certificates to decide on; undefined when a resumed session's certificate cannot be found. */
  private peerChain(session: EstablishedSession): Buffer[] | undefined {
    if (!session.peerLeafSha256 || session.peerChain.length > 0) return session.peerChain;
    const der = this.settings.certificateBySha256?.(session.peerLeafSha256);
    return der ? [der] : undefined;
  }

  private async feed(records: Buffer): Promise<TlsStep> {
    this.engine ??= this.settings.newHandshake(records);
    const step = await this.engine.feed(records);
    // Established or failed, the handshake has nothing more to do: free its TLS state now.
    if (step.state !== 'handshaking') this.destroy();
    return step;
  }

  private send(message: Buffer, fragmentSize: number): MethodStep {
    const [first, ...rest] = fragment(message, fragmentSize);
    this.outgoing = rest;
    return { kind: 'send', typeData: first! };
  }

  /** A TLS alert goes to the peer in an EAP-Request; its response is answered with EAP-Failure. */
  private tlsFailed(step: { output: Buffer }, detail: string, fragmentSize: number, reason: 'tls_failed' | 'no_certificate' = 'tls_failed'): MethodStep {
    const decision = reject(reason, { detail });
    if (step.output.length === 0) return { kind: 'reject', decision };
    this.phase = 'failing';
    this.outcome = decision;
    return this.send(step.output, fragmentSize);
  }
}

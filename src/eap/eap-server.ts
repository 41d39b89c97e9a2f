import type { Decision } from '../verify/reasons.js';
import { reject } from '../verify/reasons.js';
import type { TlsHandshake, TlsVersion } from '../tls/engine.js';
import { randomPooled } from '../tls/random-pool.js';
import { EapCode, EapType, decodeEap, encodeEap, eapFailure, eapSuccess } from './packet.js';
import { decodeTlsFrame } from './tls-framing.js';
import { TlsMethod } from './method-tls.js';
import { ConversationTable, type EvictionCause } from './table.js';

export interface EapSettings {
  fragmentSize: number;
  maxMessageBytes: number;
  maxRounds: number;
  idleTimeoutSeconds: number;
  maxConversations: number;
  maxConversationsPerClient: number;
  maxConversationsPerStation: number;
  maxHandshakes: number;
}

/** What the RADIUS layer knows about the request, for limits and for the decision. */
export interface EapRequestFacts {
  /** Framed-MTU from the NAS: the largest EAP packet it can carry (RFC 3580 3.10). */
  framedMtu: number | undefined;
  /** RADIUS client name: conversations per client are limited. */
  client: string;
  /** Normalised Calling-Station-Id (limits/station-id.ts): conversations per station are limited. */
  callingStationId: string | undefined;
  /** Set by an admission check (failed-login pacing): a new login is refused with this decision, no state kept. */
  refuse?: Decision | undefined;
}

/** The identity, keys and timing of a finished conversation, for the reply and the log. */
export interface ConversationSummary {
  outerIdentity: string;
  tlsVersion: TlsVersion | undefined;
  resumed: boolean;
  rounds: number;
  startedAt: number;
}

export type EapResult =
  | { kind: 'challenge'; eap: Buffer; state: Buffer }
  | { kind: 'accept'; eap: Buffer; msk: Buffer; decision: Decision; summary: ConversationSummary }
  | { kind: 'reject'; eap: Buffer; decision: Decision; summary: ConversationSummary | undefined }
  | { kind: 'drop'; reason: string };

/** Decides on the peer's chain once TLS has proven possession of the key. */
export type ChainAuthorizer = (chain: Buffer[], outerIdentity: string, now: Date, request: { client: string }) => Promise<Decision>;

// EAP header (4) + type (1) + flags (1) + TLS Message Length (4).
const EAP_TLS_OVERHEAD = 10;
// RFC 7542 2.2: a NAI of 253 octets is all RADIUS can carry in User-Name; more is not an identity.
const MAX_IDENTITY = 253;

class Conversation {
  lastActivity: number;
  lastRequestId: number;
  rounds = 0;
  busy = false;
  method: TlsMethod | undefined;

  constructor(
    readonly state: Buffer,
    readonly outerIdentity: string,
    readonly startedAt: number,
    firstRequestId: number,
    readonly client: string,
    readonly station: string | undefined,
  ) {
    this.lastActivity = startedAt;
    this.lastRequestId = firstRequestId;
  }

  /** Answered the Start: at a limit, conversations that never did are evicted first. */
  get progressed(): boolean {
    return this.rounds > 0;
  }

  summary(): ConversationSummary {
    return {
      outerIdentity: this.outerIdentity,
      tlsVersion: this.method?.tlsVersion,
      resumed: this.method?.resumed ?? false,
      rounds: this.rounds,
      startedAt: this.startedAt,
    };
  }

  destroy(): void {
    this.method?.destroy();
    this.method = undefined;
  }
}

/**
 * The EAP state machine (the role of hostapd's eap_server.c): Identity → EAP-TLS Start → method
 * rounds → Success/Failure, one conversation per RADIUS State.
 */
export class EapServer {
  readonly table: ConversationTable<Conversation>;

  constructor(
    private settings: EapSettings,
    private newHandshake: (clientHello: Buffer) => TlsHandshake,
    private readonly authorize: ChainAuthorizer,
    onEvict?: (cause: EvictionCause) => void,
    /** Resumed TLS 1.3 sessions name their certificate by SHA-256: the store's lookup (method-tls.ts). */
    private readonly certificateBySha256?: (sha256: Buffer) => Buffer | undefined,
  ) {
    const limits = { max: settings.maxConversations, perClient: settings.maxConversationsPerClient, perStation: settings.maxConversationsPerStation, handshakes: settings.maxHandshakes, idleMs: settings.idleTimeoutSeconds * 1000 };
    this.table = new ConversationTable<Conversation>(limits, onEvict);
  }

  /** New TLS settings apply to conversations that start from now on; those in flight keep theirs. */
  reconfigure(newHandshake: (clientHello: Buffer) => TlsHandshake): void {
    this.newHandshake = newHandshake;
  }

  async handle(eapBytes: Buffer, state: Buffer | undefined, facts: EapRequestFacts, now: Date): Promise<EapResult> {
    const decoded = decodeEap(eapBytes);
    if (!decoded.ok) return { kind: 'drop', reason: 'malformed' };
    const p = decoded.packet;
    if (p.code !== EapCode.Response) return { kind: 'drop', reason: 'malformed' };
    const t = now.getTime();

    if (!state) {
      // A new login must begin with Identity and must not carry an old State (RFC 5080 2.1.1).
      if (p.type !== EapType.Identity) {
        return this.fail(p.identifier, reject('eap_protocol', { detail: 'conversation did not start with EAP-Response/Identity' }), undefined);
      }
      if (facts.refuse) return this.fail(p.identifier, facts.refuse, undefined);
      // Cut: the identity is logged and held per conversation, and only its realm matters.
      const outerIdentity = p.data.subarray(0, MAX_IDENTITY).toString('utf8');
      const s = randomPooled(16);
      const id = (p.identifier + 1) & 0xff;
      const conv = new Conversation(s, outerIdentity, t, id, facts.client, facts.callingStationId);
      this.table.add(s.toString('hex'), conv);
      return { kind: 'challenge', state: s, eap: encodeEap(EapCode.Request, id, EapType.Tls, TlsMethod.start()) };
    }

    const key = state.toString('hex');
    const conv = this.table.get(key);
    if (!conv) return this.fail(p.identifier, reject('eap_protocol', { detail: 'unknown or expired State' }), undefined);
    // RFC 3748 4.1: a response whose Identifier does not match the outstanding request is discarded.
    if (p.identifier !== conv.lastRequestId) return { kind: 'drop', reason: 'eap_identifier_mismatch' };
    if (conv.busy) return { kind: 'drop', reason: 'duplicate' };
    this.table.touch(key, conv, t);
    if (++conv.rounds > this.settings.maxRounds) {
      return this.finish(key, conv, p.identifier, reject('eap_protocol', { detail: `more than ${this.settings.maxRounds} rounds` }));
    }
    if (p.type === EapType.Nak) {
      return this.finish(key, conv, p.identifier, reject('eap_method_refused', { detail: `peer asked for EAP type(s) ${[...p.data].join(',') || 'none'}` }));
    }
    if (p.type !== EapType.Tls) {
      return this.finish(key, conv, p.identifier, reject('eap_protocol', { detail: `unexpected EAP type ${p.type}` }));
    }
    const frame = decodeTlsFrame(p.data);
    if (!frame.ok) return this.finish(key, conv, p.identifier, reject('eap_protocol', { detail: frame.reason }));

    if (!conv.method) this.table.startsTls(key, conv);
    conv.method ??= new TlsMethod({ newHandshake: this.newHandshake, maxMessageBytes: this.settings.maxMessageBytes, certificateBySha256: this.certificateBySha256 });
    const fragmentSize = Math.max(64, Math.min(this.settings.fragmentSize, (facts.framedMtu ?? Infinity) - EAP_TLS_OVERHEAD));
    conv.busy = true;
    let step;
    try {
      step = await conv.method.step(frame.frame, fragmentSize, (chain) => this.authorize(chain, conv.outerIdentity, now, { client: conv.client }));
    } finally {
      conv.busy = false;
    }
    if (step.kind === 'send') {
      conv.lastRequestId = (p.identifier + 1) & 0xff;
      return { kind: 'challenge', state, eap: encodeEap(EapCode.Request, conv.lastRequestId, EapType.Tls, step.typeData) };
    }
    if (step.kind === 'accept') {
      const summary = conv.summary();
      this.table.delete(key);
      return { kind: 'accept', eap: eapSuccess(p.identifier), msk: step.msk, decision: step.decision, summary };
    }
    return this.finish(key, conv, p.identifier, step.decision);
  }

  /** Expires idle conversations; call about once a second. */
  sweep(now: Date): number {
    return this.table.sweep(now.getTime());
  }

  close(): void {
    this.table.clear();
  }

  private finish(key: string, conv: Conversation, identifier: number, decision: Decision): EapResult {
    const summary = conv.summary();
    this.table.delete(key);
    return this.fail(identifier, decision, summary);
  }

  private fail(identifier: number, decision: Decision, summary: ConversationSummary | undefined): EapResult {
    return { kind: 'reject', eap: eapFailure(identifier), decision, summary };
  }
}

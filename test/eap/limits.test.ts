// Conversation limits in total, per RADIUS client and per Calling-Station-Id, and what gets evicted
// at a limit: a flood of abandoned logins must not lock real users out.
import { beforeAll, describe, expect, it } from 'vitest';
import { EapServer, type EapRequestFacts, type EapSettings } from '../../src/eap/eap-server.js';
import { EapCode, EapType, decodeEap, encodeEap } from '../../src/eap/packet.js';
import { ConversationTable, type Tracked } from '../../src/eap/table.js';
import type { Decision } from '../../src/verify/reasons.js';
import { localHandshakes, peerLogin } from '../helpers/eap-peer.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';

class Fake implements Tracked {
  lastActivity = 0;
  destroyed = false;
  constructor(
    readonly client: string,
    readonly station: string | undefined,
    public progressed = false,
  ) {}
  destroy() {
    this.destroyed = true;
  }
}

const limits = { max: 10, perClient: 6, perStation: 2, handshakes: 3, idleMs: 30_000 };

describe('ConversationTable limits', () => {
  it('per station: the oldest conversation of that station goes; others are untouched', () => {
    const t = new ConversationTable<Fake>(limits);
    t.add('a1', new Fake('nas', 'aa'));
    t.add('b1', new Fake('nas', 'bb'));
    t.add('a2', new Fake('nas', 'aa'));
    t.add('a3', new Fake('nas', 'aa'));
    expect(t.get('a1')).toBeUndefined();
    expect([t.get('a2'), t.get('a3'), t.get('b1')].every(Boolean)).toBe(true);
    expect(t.countFor('station', 'aa')).toBe(2);
    expect(t.evicted).toEqual({ limit_total: 0, limit_client: 0, limit_station: 1, limit_handshakes: 0 });
  });

  it('per client: one NAS cannot take the whole table', () => {
    const t = new ConversationTable<Fake>(limits);
    for (let i = 0; i < 3; i++) t.add(`q${i}`, new Fake('quiet-nas', undefined));
    for (let i = 0; i < 50; i++) t.add(`n${i}`, new Fake('noisy-nas', `s${i}`));
    expect(t.countFor('client', 'noisy-nas')).toBe(6);
    expect(t.countFor('client', 'quiet-nas')).toBe(3);
    expect(t.size).toBe(9);
    expect(t.evicted.limit_client).toBe(44);
    expect(t.evicted.limit_total).toBe(0);
  });

  it('in total, and a conversation that progressed outlives older-in-activity ones that did not', () => {
    const t = new ConversationTable<Fake>({ ...limits, perClient: 100 });
    const real = new Fake('nas', 'real', true);
    t.add('real', real);
    for (let i = 0; i < 100; i++) t.add(`f${i}`, new Fake(`nas${i % 3}`, `s${i}`));
    expect(t.size).toBe(10);
    expect(t.get('real')).toBe(real);
    expect(real.destroyed).toBe(false);
    expect(t.evicted.limit_total).toBe(91);
  });

  it('conversations holding TLS state have their own, smaller limit; the least recently active goes', () => {
    const t = new ConversationTable<Fake>({ ...limits, perClient: 100, perStation: 100 });
    const convs = Array.from({ length: 6 }, (_, i) => new Fake('nas', `s${i}`, true));
    convs.forEach((c, i) => t.add(`c${i}`, c));
    for (let i = 0; i < 3; i++) t.startsTls(`c${i}`, convs[i]!);
    t.touch('c0', convs[0]!, 5);
    t.startsTls('c3', convs[3]!);
    expect(t.handshakes).toBe(3);
    expect(t.get('c1')).toBeUndefined(); // least recently active among those with TLS state
    expect(convs[1]!.destroyed).toBe(true);
    expect(t.get('c4')).toBe(convs[4]); // no TLS state: not counted, not evicted
    expect(t.evicted.limit_handshakes).toBe(1);
    t.delete('c0');
    expect(t.handshakes).toBe(2);
  });

  it('touch keeps activity order in every group; sweep expires idle ones from all of them', () => {
    const t = new ConversationTable<Fake>(limits);
    const a = new Fake('nas', 'aa', true);
    const b = new Fake('nas', 'aa', true);
    t.add('a', a);
    t.add('b', b);
    t.touch('a', a, 1000);
    const c = new Fake('nas', 'aa');
    c.lastActivity = 2000;
    t.add('c', c);
    expect(t.get('b')).toBeUndefined(); // b was the least recently active of station aa
    expect(t.get('a')).toBe(a);
    expect(t.sweep(30_999)).toBe(0);
    expect(t.sweep(31_000)).toBe(1); // a (activity 1000) expired; c (2000) not yet
    expect(t.sweep(32_000)).toBe(1);
    expect(t.size).toBe(0);
    expect(t.groups).toEqual({ clients: 0, stations: 0 });
  });
});

const accept: Decision = { result: 'accept', reason: 'ok', member: 'alice@jaist.ac.jp', serial: '01', issuer: 'x' };
const settings: EapSettings = {
  fragmentSize: 1024,
  maxMessageBytes: 65536,
  maxRounds: 60,
  idleTimeoutSeconds: 30,
  maxConversations: 300,
  maxConversationsPerClient: 200,
  maxConversationsPerStation: 4,
  maxHandshakes: 20,
};
const identity = (id: number, name: string) => encodeEap(EapCode.Response, id, EapType.Identity, Buffer.from(name));

/** EapServer as the gateway drives it, with `flood` abandoned logins sent before every real packet. */
function flooded(eap: EapServer, real: Omit<EapRequestFacts, 'framedMtu'>, flood: (n: number) => Promise<void>): EapServer {
  let round = 0;
  return {
    handle: async (bytes: Buffer, state: Buffer | undefined, f: EapRequestFacts, now: Date) => {
      await flood(round++);
      return eap.handle(bytes, state, { ...f, ...real }, now);
    },
  } as unknown as EapServer;
}

describe('EapServer under a flood of abandoned logins', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });

  it('a real login completes while the same NAS floods the table with new logins between its rounds', async () => {
    const evictions: string[] = [];
    const eap = new EapServer(settings, localHandshakes(pki), async () => accept, (why) => evictions.push(why));
    let n = 0;
    const flood = async () => {
      for (let i = 0; i < 150; i++) {
        const r = await eap.handle(identity(1, 'anonymous@jaist.ac.jp'), undefined, { framedMtu: undefined, client: 'ap-1', callingStationId: `f${n++}` }, new Date());
        expect(r.kind).toBe('challenge');
      }
    };
    const { r } = await peerLogin(flooded(eap, { client: 'ap-1', callingStationId: '020000000001' }, flood), pki, { maxVersion: 'TLSv1.3', peerFragment: 300, framedMtu: 400 });
    expect(r.kind).toBe('accept');
    expect(eap.table.size).toBeLessThanOrEqual(200);
    expect(evictions.length).toBeGreaterThan(1000);
    expect(new Set(evictions)).toEqual(new Set(['limit_client']));
  });

  it('a flood from other NASes fills the total, yet a real login from another NAS completes', async () => {
    const eap = new EapServer(settings, localHandshakes(pki), async () => accept);
    let n = 0;
    const flood = async () => {
      for (let i = 0; i < 250; i++) await eap.handle(identity(1, 'x'), undefined, { framedMtu: undefined, client: `nas${i % 4}`, callingStationId: `g${n++}` }, new Date());
    };
    const { r } = await peerLogin(flooded(eap, { client: 'ap-real', callingStationId: '020000000002' }, flood), pki, { maxVersion: 'TLSv1.2', peerFragment: 300, framedMtu: 400 });
    expect(r.kind).toBe('accept');
    expect(eap.table.size).toBeLessThanOrEqual(300);
  });

  // The guarantee holds while fewer new logins than the limit arrive in one round trip: before its
  // first answer a real login looks exactly like an abandoned one.
  it('even a flood spoofing the same Calling-Station-Id evicts its own abandoned logins, not the one in progress', async () => {
    const eap = new EapServer(settings, localHandshakes(pki), async () => accept);
    const flood = async () => {
      for (let i = 0; i < 3; i++) await eap.handle(identity(1, 'x'), undefined, { framedMtu: undefined, client: 'ap-1', callingStationId: '020000000003' }, new Date());
    };
    const { r } = await peerLogin(flooded(eap, { client: 'ap-1', callingStationId: '020000000003' }, flood), pki, { maxVersion: 'TLSv1.3', peerFragment: 300, framedMtu: 400 });
    expect(r.kind).toBe('accept');
    expect(eap.table.countFor('station', '020000000003')).toBeLessThanOrEqual(4);
  });

  it('a flood of ClientHellos (half-open handshakes) is bounded by maxHandshakes, and a real login still completes', async () => {
    const { readFileSync } = await import('node:fs');
    const tls = await import('node:tls');
    const { MemoryPipe } = await import('../../src/tls/memory-pipe.js');
    const { encodeTlsFrame } = await import('../../src/eap/tls-framing.js');
    const pipe = new MemoryPipe();
    const c = tls.connect({ socket: pipe, ca: readFileSync(pki.caCert), checkServerIdentity: () => undefined });
    c.on('error', () => undefined);
    for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r));
    const hello = pipe.collect();
    c.destroy();
    const evictions: string[] = [];
    const eap = new EapServer(settings, localHandshakes(pki), async () => accept, (why) => evictions.push(why));
    let n = 0;
    const flood = async () => {
      for (let i = 0; i < 15; i++) {
        const facts = { framedMtu: undefined, client: `nas${i % 3}`, callingStationId: `h${n++}` };
        const start = await eap.handle(identity(1, 'x'), undefined, facts, new Date());
        if (start.kind !== 'challenge') throw new Error('no start');
        const r = await eap.handle(encodeEap(EapCode.Response, start.eap[1]!, EapType.Tls, encodeTlsFrame(0, hello)), start.state, facts, new Date());
        expect(r.kind).toBe('challenge');
        expect(eap.table.handshakes).toBeLessThanOrEqual(20);
      }
    };
    const { r } = await peerLogin(flooded(eap, { client: 'ap-real', callingStationId: '020000000004' }, flood), pki, { maxVersion: 'TLSv1.3', peerFragment: 300, framedMtu: 400 });
    expect(r.kind).toBe('accept');
    expect(evictions.filter((w) => w === 'limit_handshakes').length).toBeGreaterThan(50);
    eap.close();
  });

  it('caps the rounds of one conversation (eap.maxRounds), with a decision reason', async () => {
    const { encodeTlsFrame, TlsFlag } = await import('../../src/eap/tls-framing.js');
    const eap = new EapServer({ ...settings, maxRounds: 4 }, localHandshakes(pki), async () => accept);
    const facts = { framedMtu: undefined, client: 'nas', callingStationId: 'aa' };
    let r = await eap.handle(identity(1, 'x'), undefined, facts, new Date());
    const outcomes: string[] = [];
    for (let i = 0; i < 6 && r.kind === 'challenge'; i++) {
      const state: Buffer = r.state;
      // Fragments with M set: each is ACKed, none completes a message; a peer that never stops.
      r = await eap.handle(encodeEap(EapCode.Response, r.eap[1]!, EapType.Tls, encodeTlsFrame(TlsFlag.More, Buffer.alloc(100, 0x16))), state, facts, new Date());
      outcomes.push(r.kind);
    }
    expect(outcomes).toEqual(['challenge', 'challenge', 'challenge', 'challenge', 'reject']);
    expect(r).toMatchObject({ kind: 'reject', decision: { reason: 'eap_protocol', detail: 'more than 4 rounds' } });
    expect(eap.table.size).toBe(0);
  });

  it('a new login is always answered at a limit (never refused for lack of room)', async () => {
    const eap = new EapServer({ ...settings, maxConversations: 5, maxConversationsPerClient: 5 }, localHandshakes(pki), async () => accept);
    for (let i = 0; i < 50; i++) {
      const r = await eap.handle(identity(i & 0xff, 'x'), undefined, { framedMtu: undefined, client: 'nas', callingStationId: undefined }, new Date());
      expect(r.kind).toBe('challenge');
      expect(r.kind === 'challenge' && decodeEap(r.eap).ok).toBe(true);
    }
    expect(eap.table.size).toBe(5);
  });

  it('a login refused by pacing gets EAP-Failure with the decision and leaves no conversation behind', async () => {
    const eap = new EapServer(settings, localHandshakes(pki), async () => accept);
    const paced: Decision = { result: 'reject', reason: 'paced', member: null, serial: null, issuer: null };
    const r = await eap.handle(identity(3, 'x'), undefined, { framedMtu: undefined, client: 'nas', callingStationId: 'aa', refuse: paced }, new Date());
    expect(r).toMatchObject({ kind: 'reject', decision: { reason: 'paced' } });
    expect(r.kind === 'reject' && decodeEap(r.eap)).toMatchObject({ ok: true, packet: { code: EapCode.Failure, identifier: 3 } });
    expect(eap.table.size).toBe(0);
  });
});

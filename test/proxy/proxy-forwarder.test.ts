// The proxy path over real UDP sockets against in-process upstream servers: routing, Proxy-State,
// Message-Authenticator on the upstream leg, retransmission, failover, Status-Server revival, MPPE
// re-encryption, State stickiness, overload and forged answers.
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../src/config/load.js';
import { EapCode, EapType, encodeEap } from '../../src/eap/packet.js';
import { createMetrics } from '../../src/obs/metrics.js';
import { ProxyForwarder, type ProxiedOutcome } from '../../src/proxy/proxy-forwarder.js';
import { DEFAULT_PROXY, type ProxyConfig } from '../../src/proxy/proxy-config.js';
import { udpChannel } from '../../src/proxy/udp-channel.js';
import { UpstreamPool } from '../../src/proxy/upstream-pool.js';
import { UpstreamServer } from '../../src/proxy/upstream-server.js';
import { decryptMppeKey, encryptMppeKey } from '../../src/radius/mppe.js';
import { Attr, Code, type RadiusAttribute, type RadiusPacket } from '../../src/radius/packet.js';
import type { HandlerResult, RequestContext } from '../../src/radius/server.js';
import { vendorAttr } from '../../src/radius/serializer.js';
import type { Decision } from '../../src/verify/reasons.js';
import { type FakeUpstream, fakeUpstream, statusOk } from './fake-upstream.js';

const UP_SECRET = Buffer.from('upstream-secret');
const NAS_SECRET = Buffer.from('nas-secret');
const client: ClientConfig = { name: 'ap', network: { address: '127.0.0.1', prefix: 32, family: 4 }, secret: NAS_SECRET, requireMessageAuthenticator: true, limitProxyState: true };

let open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open) await o.close();
  open = [];
});

function ctx(attributes: RadiusAttribute[], id = 1): RequestContext {
  const packet: RadiusPacket = { code: Code.AccessRequest, identifier: id, authenticator: Buffer.alloc(16, id), attributes };
  return { client, packet, source: { address: '127.0.0.1', port: 5000 }, receivedAt: new Date() };
}
const identity = (name: string, extra: RadiusAttribute[] = []) =>
  ctx([{ type: Attr.UserName, value: Buffer.from(name) }, { type: Attr.ProxyState, value: Buffer.from('nas-ps') }, ...extra, { type: Attr.EapMessage, value: encodeEap(EapCode.Response, 3, EapType.Identity, Buffer.from(name)) }]);
const eapOf = (c: RequestContext) => Buffer.concat(c.packet.attributes.filter((a) => a.type === Attr.EapMessage).map((a) => a.value));

function server(up: { port: number }, o: Partial<{ timeoutMs: number; tries: number; maxChannels: number; probeIntervalMs: number }> = {}, metrics = createMetrics()) {
  const s = new UpstreamServer({
    name: `127.0.0.1:${up.port}`,
    secret: UP_SECRET,
    channel: udpChannel({ host: '127.0.0.1', port: up.port, family: 4 }, () => undefined),
    timeoutMs: o.timeoutMs ?? 100,
    tries: o.tries ?? 2,
    maxChannels: o.maxChannels ?? 1,
    probeIntervalMs: o.probeIntervalMs ?? 200,
    clock: Date.now,
    observer: { dropped: (srv, reason) => metrics.proxyUpstreamDropped.inc({ server: srv, reason }), state: () => undefined },
  });
  open.push(s);
  return s;
}

function forwarder(pools: UpstreamPool[], cfg: Partial<ProxyConfig> = {}) {
  const metrics = createMetrics();
  const events = { rejects: [] as Decision[], finished: [] as ProxiedOutcome[], failed: [] as { result: string }[] };
  const f = new ProxyForwarder({ ...DEFAULT_PROXY, ...cfg }, () => ['jaist.ac.jp'], pools, metrics, {
    localReject: (_c, d) => events.rejects.push(d),
    finished: (_c, o) => events.finished.push(o),
    failed: (_c, i) => events.failed.push(i),
  }, () => 0x0042);
  open.push(f);
  return { f, metrics, events };
}

const challenge = (state: string): { code: number; attributes: RadiusAttribute[] } => ({
  code: Code.AccessChallenge,
  attributes: [{ type: Attr.EapMessage, value: encodeEap(EapCode.Request, 4, EapType.Tls, Buffer.from([0x20])) }, { type: Attr.State, value: Buffer.from(state) }],
});

async function up(script: Parameters<typeof fakeUpstream>[1]): Promise<FakeUpstream> {
  const u = await fakeUpstream(UP_SECRET, script);
  open.push(u);
  return u;
}

const isReply = (r: HandlerResult | undefined): r is { code: number; attributes: RadiusAttribute[] } => r !== undefined && 'code' in r;

describe('ProxyForwarder', () => {
  it('decides our realms locally, refuses malformed realms without forwarding, and ignores unrouted realms', async () => {
    const u = await up(() => challenge('x'));
    const { f, events } = forwarder([new UpstreamPool('example.ac.jp', [server(u)])]);
    expect(await f.handle(identity('alice@jaist.ac.jp'), eapOf(identity('alice@jaist.ac.jp')))).toBeUndefined();
    expect(await f.handle(identity('a@lab.jaist.ac.jp'), eapOf(identity('a@lab.jaist.ac.jp')))).toBeUndefined();
    expect(await f.handle(identity('x@other.ac.jp'), eapOf(identity('x@other.ac.jp')))).toBeUndefined();
    for (const bad of ['alice', 'alice@', 'a b@example.ac.jp', 'a@b@example.ac.jp', 'a@nodot', 'a@-bad-.ac.jp']) {
      const c = identity(bad);
      const r = await f.handle(c, eapOf(c));
      expect(isReply(r) && r.code, bad).toBe(Code.AccessReject);
      // EAP-Failure with the identity response's Identifier.
      expect(isReply(r) && r.attributes[0]!.value.toString('hex')).toBe('04030004');
    }
    expect(events.rejects.map((d) => d.reason)).toEqual(Array(6).fill('realm'));
    expect(u.received).toHaveLength(0);
  });

  it('forwards with Message-Authenticator and Proxy-State, relays the challenge, and keeps follow-ups on that server', async () => {
    const key = Buffer.alloc(32, 7);
    const u = await up((req, n) => {
      if (n === 1) return challenge('state-1');
      return {
        code: Code.AccessAccept,
        attributes: [
          { type: Attr.EapMessage, value: Buffer.from('03040004', 'hex') },
          { type: Attr.UserName, value: Buffer.from('visitor@example.ac.jp') },
          { type: Attr.Class, value: Buffer.from('home-class') },
          vendorAttr(311, 17, encryptMppeKey(key, UP_SECRET, req.authenticator, 1)),
          vendorAttr(311, 16, encryptMppeKey(key, UP_SECRET, req.authenticator, 2)),
        ],
      };
    });
    const other = await up(() => challenge('never'));
    const { f, events, metrics } = forwarder([new UpstreamPool('example.ac.jp', [server(u)]), new UpstreamPool('*', [server(other)])]);
    const first = identity('anonymous@example.ac.jp', [{ type: Attr.ChargeableUserIdentity, value: Buffer.from([0]) }]);
    const r1 = await f.handle(first, eapOf(first));
    expect(isReply(r1) && r1.code).toBe(Code.AccessChallenge);
    expect(isReply(r1) && r1.attributes.map((a) => a.type)).toEqual([Attr.EapMessage, Attr.State]);
    const seen = u.received[0]!;
    expect(seen.maValid).toBe(true);
    const ps = seen.packet.attributes.filter((a) => a.type === Attr.ProxyState).map((a) => a.value);
    expect(ps).toHaveLength(2);
    expect(ps[0]).toEqual(Buffer.from('nas-ps'));
    expect(seen.packet.attributes.find((a) => a.type === Attr.ChargeableUserIdentity)?.value).toEqual(Buffer.from([0]));
    expect(f.conversations.size).toBe(1);

    const follow = ctx([{ type: Attr.State, value: Buffer.from('state-1') }, { type: Attr.EapMessage, value: encodeEap(EapCode.Response, 4, EapType.Tls, Buffer.from([0])) }], 2);
    const r2 = await f.handle(follow, eapOf(follow));
    expect(isReply(r2) && r2.code).toBe(Code.AccessAccept);
    if (!isReply(r2)) return;
    expect(r2.attributes.find((a) => a.type === Attr.Class)?.value).toEqual(Buffer.from('home-class'));
    expect(r2.attributes.some((a) => a.type === Attr.ProxyState || a.type === Attr.MessageAuthenticator)).toBe(false);
    const recv = r2.attributes.find((a) => a.type === Attr.VendorSpecific && a.value[4] === 17)!.value.subarray(6);
    expect(decryptMppeKey(recv, NAS_SECRET, follow.packet.authenticator)).toEqual(key);
    expect(other.received).toHaveLength(0);
    expect(f.conversations.size).toBe(0);
    expect(events.finished).toMatchObject([{ result: 'accept', realm: 'example.ac.jp', route: 'example.ac.jp', outerIdentity: 'anonymous@example.ac.jp', userName: 'visitor@example.ac.jp', rounds: 2 }]);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`certgate_proxy_requests_total{realm_route="example.ac.jp",server="127.0.0.1:${u.port}",result="challenge"} 1`);
    expect(text).toContain(`certgate_proxy_requests_total{realm_route="example.ac.jp",server="127.0.0.1:${u.port}",result="accept"} 1`);
  });

  it('retransmits with the same Identifier and authenticator, then fails over; the dead server is probed back to life', async () => {
    let answerStatus = false;
    const silent = await up((req) => (answerStatus ? statusOk(req, 0) : null));
    const backup = await up(() => challenge('b'));
    const first = server(silent, { timeoutMs: 80, tries: 3, probeIntervalMs: 150 });
    const { f, metrics } = forwarder([new UpstreamPool('*', [first, server(backup)])]);
    const c = identity('v@example.org');
    const r = await f.handle(c, eapOf(c));
    expect(isReply(r) && r.code).toBe(Code.AccessChallenge);
    expect(silent.received).toHaveLength(3);
    const [a, b, d] = silent.received.map((x) => x.packet);
    expect(new Set([a!.identifier, b!.identifier, d!.identifier]).size).toBe(1);
    expect(a!.authenticator.equals(b!.authenticator) && a!.authenticator.equals(d!.authenticator)).toBe(true);
    expect(first.up).toBe(false);
    expect(await metrics.registry.metrics()).toContain(`server="127.0.0.1:${silent.port}",result="timeout"} 1`);

    // While dead it is skipped for new conversations...
    const c2 = identity('w@example.org');
    await f.handle(c2, eapOf(c2));
    expect(silent.received.filter((x) => x.packet.code === Code.AccessRequest)).toHaveLength(3);
    // ...and Status-Server brings it back once it answers.
    answerStatus = true;
    await waitFor(() => first.up);
    expect(silent.received.some((x) => x.packet.code === Code.StatusServer && x.maValid)).toBe(true);
  });

  it('drops (and counts) a request past maxOutstanding, and a follow-up whose server stays silent', async () => {
    const slow = await up(() => null);
    const { f, metrics, events } = forwarder([new UpstreamPool('*', [server(slow, { timeoutMs: 150, tries: 1 })])], { maxOutstanding: 1 });
    const a = identity('a@example.org');
    const b = identity('b@example.org');
    const [ra, rb] = await Promise.all([f.handle(a, eapOf(a)), f.handle(b, eapOf(b))]);
    expect(ra).toEqual({ drop: 'proxy_timeout' });
    expect(rb).toEqual({ drop: 'proxy_overload' });
    expect(await metrics.registry.metrics()).toContain('certgate_proxy_requests_total{realm_route="*",server="none",result="overload"} 1');
    expect(events.failed.map((e) => e.result).sort()).toEqual(['overload', 'timeout']);
    expect(f.outstanding).toBe(0);
  });

  it('ignores a forged answer (bad Response Authenticator) and an answer without Message-Authenticator', async () => {
    let mode: 'forge' | 'noma' = 'forge';
    const u = await up((req) => {
      if (mode === 'forge') {
        const fake = Buffer.alloc(20);
        fake[0] = Code.AccessAccept;
        fake[1] = req.identifier;
        fake.writeUInt16BE(20, 2);
        u.sendRaw(fake);
        return challenge('genuine');
      }
      return { ...challenge('x'), ma: false };
    });
    const metrics = createMetrics();
    const s = server(u, { timeoutMs: 100, tries: 1 }, metrics);
    const { f } = forwarder([new UpstreamPool('*', [s])]);
    const c = identity('v@example.org');
    const r = await f.handle(c, eapOf(c));
    expect(isReply(r) && r.attributes.find((a) => a.type === Attr.State)?.value.toString()).toBe('genuine');
    expect(await metrics.registry.metrics()).toContain('reason="bad_authenticator"} 1');
    mode = 'noma';
    const c2 = identity('w@example.org');
    expect(await f.handle(c2, eapOf(c2))).toEqual({ drop: 'proxy_timeout' });
    expect(await metrics.registry.metrics()).toContain('reason="missing_message_authenticator"} 1');
  });
});

async function waitFor(pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

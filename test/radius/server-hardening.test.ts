// The RADIUS transport against hostile and odd traffic, in process on loopback: RFC 5080 duplicate
// handling, the BlastRADIUS rules (CVE-2024-3596) and the bound on work in flight. Replies are
// decoded and checked as a NAS would.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientConfig } from '../../src/config/load.js';
import { verifyMessageAuthenticator, verifyResponseAuthenticator } from '../../src/radius/authenticator.js';
import { ClientTable } from '../../src/radius/clients.js';
import { Attr, Code, type RadiusAttribute } from '../../src/radius/packet.js';
import { decodePacket } from '../../src/radius/parser.js';
import { encodeAccessRequest } from '../../src/radius/reply.js';
import { attr } from '../../src/radius/serializer.js';
import { type HandlerResult, RadiusServer, type RequestContext } from '../../src/radius/server.js';

const SECRET = Buffer.from('testing123');
const EAP_IDENTITY = Buffer.from('0201000a01616c696365', 'hex'); // EAP-Response/Identity "alice"

function client(name: string, address: string, o: Partial<ClientConfig> = {}): ClientConfig {
  return { name, network: { address, prefix: 32, family: 4 }, secret: SECRET, requireMessageAuthenticator: true, limitProxyState: true, ...o };
}

interface Harness {
  server: RadiusServer;
  port: number;
  drops: string[];
  handled: RequestContext[];
  /** Sends from 127.0.0.1 (or `from`) and resolves with the first reply, or undefined after `waitMs`. */
  send(buf: Buffer, o?: { from?: string; socket?: dgram.Socket; waitMs?: number }): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

let open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

async function harness(clients: ClientConfig[], handle: (ctx: RequestContext) => Promise<HandlerResult>, maxPending?: number): Promise<Harness> {
  const drops: string[] = [];
  const handled: RequestContext[] = [];
  const server = new RadiusServer(
    new ClientTable(clients),
    { [Code.AccessRequest]: { authenticator: 'access', handle: (ctx) => (handled.push(ctx), handle(ctx)) } },
    { dropped: (r) => drops.push(r), request: () => undefined, replied: () => undefined, error: () => undefined },
    10_000,
    maxPending,
  );
  await server.listen([{ host: '127.0.0.1', port: 0, family: 4 }]);
  const port = server.addresses()[0]!.port;
  const sockets: dgram.Socket[] = [];
  const h: Harness = {
    server,
    port,
    drops,
    handled,
    async send(buf, o = {}) {
      let s = o.socket;
      if (!s) {
        s = dgram.createSocket('udp4');
        sockets.push(s);
        await new Promise<void>((r) => s!.bind(0, o.from ?? '127.0.0.1', () => r()));
      }
      const sock = s;
      return new Promise((resolve) => {
        const t = setTimeout(() => (sock.off('message', on), resolve(undefined)), o.waitMs ?? 3000);
        const on = (m: Buffer) => (clearTimeout(t), sock.off('message', on), resolve(m));
        sock.on('message', on);
        sock.send(buf, port, '127.0.0.1');
      });
    },
    async close() {
      for (const s of sockets) s.close();
      await server.close();
    },
  };
  open.push(h);
  return h;
}

/** Drops are counted on receipt; under load that may be a little after our short wait. */
const dropped = (h: Harness, reasons: string[]) => vi.waitFor(() => expect(h.drops).toEqual(reasons), { timeout: 3000 });

function request(o: { id?: number; attributes?: RadiusAttribute[]; ma?: boolean; secret?: Buffer; authenticator?: Buffer } = {}): Buffer {
  return encodeAccessRequest({
    identifier: o.id ?? 7,
    authenticator: o.authenticator ?? randomBytes(16),
    attributes: o.attributes ?? [attr(Attr.UserName, 'alice'), attr(Attr.EapMessage, EAP_IDENTITY)],
    secret: o.secret ?? SECRET,
    messageAuthenticator: o.ma ?? true,
  });
}

/** Decodes a reply and checks both authenticators as a NAS does; returns its attributes. */
function checkReply(reply: Buffer | undefined, req: Buffer): RadiusAttribute[] {
  expect(reply).toBeDefined();
  const d = decodePacket(reply!);
  if (!d.ok) throw new Error(`reply does not decode: ${d.reason}`);
  const requestAuth = req.subarray(4, 20);
  expect(verifyResponseAuthenticator(d.raw, requestAuth, SECRET)).toBe(true);
  // BlastRADIUS: Message-Authenticator is the FIRST attribute, computed with the Request Authenticator.
  expect(d.packet.attributes[0]?.type).toBe(Attr.MessageAuthenticator);
  expect(d.messageAuthenticatorOffset).toBe(22);
  expect(verifyMessageAuthenticator(d.raw, d.messageAuthenticatorOffset, SECRET, requestAuth)).toBe(true);
  return d.packet.attributes;
}

const answer = (code: number, extra: RadiusAttribute[] = []) => async (): Promise<HandlerResult> => ({
  code,
  attributes: [attr(Attr.EapMessage, Buffer.from(code === Code.AccessAccept ? '03080004' : code === Code.AccessReject ? '04080004' : '010800060d20', 'hex')), ...extra],
});

describe('duplicates (RFC 5080 2.2.2)', () => {
  it('answers a retransmit with the cached reply byte for byte, without running the handler again', async () => {
    const h = await harness([client('lo', '127.0.0.1')], answer(Code.AccessChallenge, [attr(Attr.State, randomBytes(16))]));
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const req = request();
    const first = await h.send(req, { socket: s });
    const again = await h.send(req, { socket: s });
    s.close();
    expect(first).toBeDefined();
    expect(again!.equals(first!)).toBe(true);
    expect(h.handled).toHaveLength(1);
    expect(h.drops).toEqual(['duplicate']);
  });

  it('drops a retransmit of a request still being worked on, then replays once answered', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = await harness([client('lo', '127.0.0.1')], async () => {
      await gate;
      return answer(Code.AccessReject)();
    });
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const req = request();
    const pending = h.send(req, { socket: s, waitMs: 5000 });
    await vi.waitFor(() => expect(h.handled).toHaveLength(1));
    s.send(req, h.port, '127.0.0.1');
    await dropped(h, ['duplicate']);
    expect(h.handled).toHaveLength(1);
    release();
    const first = await pending;
    const replay = await h.send(req, { socket: s });
    s.close();
    expect(replay!.equals(first!)).toBe(true);
    expect(h.handled).toHaveLength(1);
  });

  it('the same id and port with a new authenticator is a new request', async () => {
    const h = await harness([client('lo', '127.0.0.1')], answer(Code.AccessReject));
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    await h.send(request({ id: 9 }), { socket: s });
    await h.send(request({ id: 9 }), { socket: s });
    s.close();
    expect(h.handled).toHaveLength(2);
    expect(h.drops).toEqual([]);
  });
});

describe('BlastRADIUS (CVE-2024-3596)', () => {
  it('requires Message-Authenticator by default: a request without it is dropped', async () => {
    const h = await harness([client('lo', '127.0.0.1')], answer(Code.AccessReject));
    expect(await h.send(request({ ma: false, attributes: [attr(Attr.UserName, 'alice')] }), { waitMs: 300 })).toBeUndefined();
    await dropped(h, ['missing_message_authenticator']);
    expect(h.handled).toHaveLength(0);
  });

  it('drops a request whose Message-Authenticator is wrong', async () => {
    const h = await harness([client('lo', '127.0.0.1')], answer(Code.AccessReject));
    expect(await h.send(request({ secret: Buffer.from('wrong') }), { waitMs: 300 })).toBeUndefined();
    const tampered = request();
    tampered[tampered.length - 1]! ^= 1; // a bit of the last attribute (EAP-Message) changed in flight
    expect(await h.send(tampered, { waitMs: 300 })).toBeUndefined();
    await dropped(h, ['bad_authenticator', 'bad_authenticator']);
  });

  it('a client relaxed with requireMessageAuthenticator: false is answered without it (non-EAP request)', async () => {
    const h = await harness([client('old-nas', '127.0.0.1', { requireMessageAuthenticator: false })], answer(Code.AccessReject));
    const req = request({ ma: false, attributes: [attr(Attr.UserName, 'alice')] });
    checkReply(await h.send(req), req);
    expect(h.handled).toHaveLength(1);
  });

  it('still requires it on anything carrying EAP-Message (RFC 3579), relaxed or not', async () => {
    const h = await harness([client('old-nas', '127.0.0.1', { requireMessageAuthenticator: false })], answer(Code.AccessReject));
    expect(await h.send(request({ ma: false }), { waitMs: 300 })).toBeUndefined();
    await dropped(h, ['missing_message_authenticator']);
  });

  it('limitProxyState: a relaxed client\'s request with Proxy-State but no Message-Authenticator is dropped', async () => {
    const h = await harness([client('old-nas', '127.0.0.1', { requireMessageAuthenticator: false })], answer(Code.AccessReject));
    const req = request({ ma: false, attributes: [attr(Attr.UserName, 'alice'), attr(Attr.ProxyState, 'ps1')] });
    expect(await h.send(req, { waitMs: 300 })).toBeUndefined();
    await dropped(h, ['limit_proxy_state']);
    // With a Message-Authenticator the same request is fine, and Proxy-State comes back.
    const signed = request({ ma: true, attributes: [attr(Attr.UserName, 'alice'), attr(Attr.ProxyState, 'ps1')] });
    const attrs = checkReply(await h.send(signed), signed);
    expect(attrs.filter((a) => a.type === Attr.ProxyState).map((a) => a.value.toString())).toEqual(['ps1']);
  });

  it('limitProxyState: false (explicitly, for a proxying old NAS) lets it through', async () => {
    const h = await harness([client('old-proxy', '127.0.0.1', { requireMessageAuthenticator: false, limitProxyState: false })], answer(Code.AccessReject));
    const req = request({ ma: false, attributes: [attr(Attr.UserName, 'alice'), attr(Attr.ProxyState, 'ps1')] });
    checkReply(await h.send(req), req);
  });

  for (const [name, code] of [
    ['Access-Accept', Code.AccessAccept],
    ['Access-Reject', Code.AccessReject],
    ['Access-Challenge', Code.AccessChallenge],
  ] as const) {
    it(`puts Message-Authenticator FIRST in an ${name}, valid, with Proxy-State echoed in order`, async () => {
      const h = await harness([client('lo', '127.0.0.1')], answer(code, code === Code.AccessChallenge ? [attr(Attr.State, randomBytes(16))] : []));
      // radclient puts MA last: its position in what we receive must not matter.
      const req = request({ attributes: [attr(Attr.UserName, 'alice'), attr(Attr.ProxyState, 'a'), attr(Attr.EapMessage, EAP_IDENTITY), attr(Attr.ProxyState, 'b')] });
      const reply = await h.send(req);
      const attrs = checkReply(reply, req);
      expect(reply![0]).toBe(code);
      expect(attrs.filter((a) => a.type === Attr.ProxyState).map((a) => a.value.toString())).toEqual(['a', 'b']);
      expect(attrs.filter((a) => a.type === Attr.MessageAuthenticator)).toHaveLength(1);
    });
  }
});

describe('bounded work in flight', () => {
  it('turns new logins away past maxPending (overloaded) but still takes packets with a State', async () => {
    const gates: (() => void)[] = [];
    const h = await harness([client('lo', '127.0.0.1')], (ctx) =>
      new Promise((resolve) => gates.push(() => resolve({ code: Code.AccessReject, attributes: [] }))).then((r) => (void ctx, r as HandlerResult)),
      2,
    );
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    for (let id = 0; id < 3; id++) s.send(request({ id }), h.port, '127.0.0.1');
    await dropped(h, ['overloaded']);
    expect(h.handled).toHaveLength(2);
    const withState = request({ id: 10, attributes: [attr(Attr.State, randomBytes(16)), attr(Attr.EapMessage, EAP_IDENTITY)] });
    s.send(withState, h.port, '127.0.0.1');
    await vi.waitFor(() => expect(h.handled).toHaveLength(3));
    for (const g of gates) g();
    s.close();
  });
});

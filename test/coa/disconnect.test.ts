import { createHash, createHmac } from 'node:crypto';
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { DisconnectClient } from '../../src/coa/client.js';
import { ERROR_CAUSES, decodeDisconnectReply, encodeDisconnectRequest, errorCauseName } from '../../src/coa/codec.js';
import { destinationFor } from '../../src/coa/disconnector.js';
import type { ClientConfig } from '../../src/config/load.js';
import { Attr, Code, getString } from '../../src/radius/packet.js';
import { decodePacket } from '../../src/radius/parser.js';
import { encodeReply } from '../../src/radius/reply.js';
import { attr } from '../../src/radius/serializer.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SECRET = Buffer.from('testing123');
const TARGET = { userName: 'alice@jaist.ac.jp', acctSessionId: '5F3A0001', callingStationId: '02-00-00-00-00-01', nasIdentifier: 'ap-floor1', nasIpAddress: '127.0.0.1', nasIpv6Address: null };
const AT = new Date(1767225600 * 1000); // Event-Timestamp 2026-01-01T00:00:00Z

// FreeRADIUS 3.2 radclient on the wire (captured on loopback), secret "testing123":
//   echo 'Message-Authenticator = 0x00
//         NAS-IP-Address = 127.0.0.1, NAS-Identifier = "ap-floor1", User-Name = "alice@jaist.ac.jp",
//         Acct-Session-Id = "5F3A0001", Calling-Station-Id = "02-00-00-00-00-01",
//         Event-Timestamp = 1767225600' | radclient 127.0.0.1:18998 disconnect testing123
// It chose Identifier 0xb5. The Request Authenticator and Message-Authenticator are FreeRADIUS's.
const FREERADIUS_DISCONNECT = hex(`
  28 b5 00 6d 26 41 1c c2 3f ea 54 7e d4 77 b2 16 cf ba 89 59
  50 12 02 2e 6e 82 bd 33 b5 9c bb 5c 59 17 07 73 37 77
  04 06 7f 00 00 01
  20 0b 61 70 2d 66 6c 6f 6f 72 31
  01 13 61 6c 69 63 65 40 6a 61 69 73 74 2e 61 63 2e 6a 70
  2c 0a 35 46 33 41 30 30 30 31
  1f 13 30 32 2d 30 30 2d 30 30 2d 30 30 2d 30 30 2d 30 31
  37 06 69 55 b9 00`);

describe('Disconnect-Request codec (RFC 5176)', () => {
  it('encodes byte for byte what FreeRADIUS radclient sends', () => {
    expect(encodeDisconnectRequest(0xb5, TARGET, SECRET, AT).toString('hex')).toBe(FREERADIUS_DISCONNECT.toString('hex'));
  });

  it('computes the Request Authenticator as MD5(code|id|length|16 zeros|attributes|secret) and the MA with that field zeroed', () => {
    const p = encodeDisconnectRequest(7, { ...TARGET, nasIpv6Address: 'fe80::1' }, SECRET, AT);
    const zeroed = Buffer.from(p);
    zeroed.fill(0, 4, 20);
    expect(createHash('md5').update(zeroed).update(SECRET).digest().equals(p.subarray(4, 20))).toBe(true);
    const d = decodePacket(p);
    if (!d.ok) throw new Error('not decodable');
    expect(d.messageAuthenticatorOffset).toBe(22); // first attribute (BlastRADIUS)
    const maZeroed = Buffer.from(zeroed);
    maZeroed.fill(0, 22, 38);
    expect(createHmac('md5', SECRET).update(maZeroed).digest().equals(p.subarray(22, 38))).toBe(true);
    expect(getString(d.packet, Attr.UserName)).toBe('alice@jaist.ac.jp');
    expect(d.packet.attributes.find((a) => a.type === Attr.NasIpv6Address)?.value.toString('hex')).toBe('fe800000000000000000000000000001');
  });

  it('leaves out what the NAS did not report', () => {
    const p = decodePacket(encodeDisconnectRequest(1, { ...TARGET, callingStationId: null, nasIdentifier: null, nasIpAddress: null }, SECRET, AT));
    if (!p.ok) throw new Error('not decodable');
    expect(p.packet.attributes.map((a) => a.type)).toEqual([Attr.MessageAuthenticator, Attr.UserName, Attr.AcctSessionId, 55]);
  });

  const request = encodeDisconnectRequest(0x42, TARGET, SECRET, AT);
  const reply = (code: number, attributes = [] as ReturnType<typeof attr>[], opts: { id?: number; secret?: Buffer; ma?: boolean } = {}) =>
    encodeReply({ code, identifier: opts.id ?? 0x42, requestAuthenticator: request.subarray(4, 20), attributes, secret: opts.secret ?? SECRET, messageAuthenticator: opts.ma ?? true });

  it('reads ACK and NAK (with its Error-Cause) when the Response Authenticator checks out', () => {
    expect(decodeDisconnectReply(reply(Code.DisconnectAck), request, SECRET)).toEqual({ ok: true, kind: 'ack' });
    expect(decodeDisconnectReply(reply(Code.DisconnectAck, [], { ma: false }), request, SECRET)).toEqual({ ok: true, kind: 'ack' });
    expect(decodeDisconnectReply(reply(Code.DisconnectNak, [attr(Attr.ErrorCause, 503)]), request, SECRET)).toEqual({ ok: true, kind: 'nak', errorCause: 503 });
    expect(decodeDisconnectReply(reply(Code.DisconnectNak), request, SECRET)).toEqual({ ok: true, kind: 'nak', errorCause: null });
  });

  it('refuses forged, mismatched and malformed replies', () => {
    expect(decodeDisconnectReply(reply(Code.DisconnectAck, [], { secret: Buffer.from('wrong') }), request, SECRET)).toEqual({ ok: false, why: 'bad_authenticator' });
    expect(decodeDisconnectReply(reply(Code.DisconnectAck, [], { id: 0x43 }), request, SECRET)).toEqual({ ok: false, why: 'wrong_identifier' });
    expect(decodeDisconnectReply(reply(Code.AccessAccept), request, SECRET)).toEqual({ ok: false, why: 'not_a_reply' });
    expect(decodeDisconnectReply(Buffer.alloc(10), request, SECRET)).toEqual({ ok: false, why: 'malformed' });
    const tampered = reply(Code.DisconnectNak, [attr(Attr.ErrorCause, 503)]);
    tampered[tampered.length - 1] = 0x01; // Error-Cause 503 → 257
    expect(decodeDisconnectReply(tampered, request, SECRET)).toEqual({ ok: false, why: 'bad_authenticator' });
  });

  it('names the RFC 5176 Error-Cause values', () => {
    expect(errorCauseName(503)).toBe('Session Context Not Found');
    expect(errorCauseName(504)).toBe('Session Context Not Removable');
    expect(errorCauseName(999)).toBe('unknown (999)');
    expect(errorCauseName(null)).toBe('none given');
    expect(Object.keys(ERROR_CAUSES).map(Number)).toEqual([201, 202, 401, 402, 403, 404, 405, 406, 407, 501, 502, 503, 504, 505, 506, 507, 508]);
  });
});

describe('where a Disconnect goes', () => {
  const client = (extra: Partial<ClientConfig>): ClientConfig => ({ name: 'ap', network: { address: '10.0.0.0', prefix: 8, family: 4 }, secret: SECRET, requireMessageAuthenticator: true, limitProxyState: true, ...extra });
  it('to coaPort at the accounting source, or at coaAddress; nowhere without coaPort', () => {
    expect(destinationFor({ client: 'ap', nas: '::ffff:10.1.2.3' }, [client({ coaPort: 3799 })])).toEqual({ dest: { address: '10.1.2.3', port: 3799 }, secret: SECRET });
    expect(destinationFor({ client: 'ap', nas: '10.1.2.3' }, [client({ coaPort: 3799, coaAddress: '10.9.9.9' })])).toMatchObject({ dest: { address: '10.9.9.9', port: 3799 } });
    expect(destinationFor({ client: 'ap', nas: '10.1.2.3' }, [client({})])).toBe('RADIUS client ap has no coaPort');
    expect(destinationFor({ client: 'gone', nas: '10.1.2.3' }, [client({ coaPort: 1 })])).toContain('no longer configured');
  });
});

describe('Disconnect client (retransmission, back-off, answers)', () => {
  const sockets: dgram.Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  /** A fake NAS: answers the nth request it sees with `answer` (or never), records arrival times. */
  const nas = async (answer: (req: Buffer, n: number) => Buffer | undefined) => {
    const s = dgram.createSocket('udp4');
    sockets.push(s);
    const seen: { at: number; packet: Buffer }[] = [];
    s.on('message', (m, r) => {
      seen.push({ at: Date.now(), packet: m });
      const a = answer(m, seen.length);
      if (a) s.send(a, r.port, r.address);
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    return { port: s.address().port, seen };
  };
  const answerWith = (code: number, attributes: ReturnType<typeof attr>[] = [], secret = SECRET) => (req: Buffer) =>
    encodeReply({ code, identifier: req[1]!, requestAuthenticator: req.subarray(4, 20), attributes, secret, messageAuthenticator: true });

  it('ends on Disconnect-ACK', async () => {
    const n = await nas(answerWith(Code.DisconnectAck));
    const c = new DisconnectClient({ attempts: 3, timeoutMs: 200, maxPending: 10 });
    expect(await c.send({ address: '127.0.0.1', port: n.port }, TARGET, SECRET, AT)).toEqual({ outcome: 'ack', attempts: 1 });
    expect(c.outstanding).toBe(0);
    await c.close();
  });

  it('reports a NAK with its Error-Cause', async () => {
    const n = await nas(answerWith(Code.DisconnectNak, [attr(Attr.ErrorCause, 503)]));
    const c = new DisconnectClient({ attempts: 3, timeoutMs: 200, maxPending: 10 });
    expect(await c.send({ address: '127.0.0.1', port: n.port }, TARGET, SECRET, AT)).toEqual({ outcome: 'nak', attempts: 1, errorCause: 503, errorCauseName: 'Session Context Not Found' });
    await c.close();
  });

  it('retransmits the same bytes with doubling waits, then gives up', async () => {
    const n = await nas(() => undefined);
    const c = new DisconnectClient({ attempts: 3, timeoutMs: 100, maxPending: 10 });
    const t0 = Date.now();
    expect(await c.send({ address: '127.0.0.1', port: n.port }, TARGET, SECRET, AT)).toEqual({ outcome: 'no_answer', attempts: 3 });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(100 + 200 + 400 - 20);
    expect(n.seen.length).toBe(3);
    expect(n.seen[1]!.packet.equals(n.seen[0]!.packet) && n.seen[2]!.packet.equals(n.seen[0]!.packet)).toBe(true);
    expect(n.seen[2]!.at - n.seen[1]!.at).toBeGreaterThan(n.seen[1]!.at - n.seen[0]!.at);
    await c.close();
  });

  it('ignores a forged answer and keeps waiting for the real one', async () => {
    const invalid: string[] = [];
    const n = await nas((req, i) => (i === 1 ? answerWith(Code.DisconnectAck, [], Buffer.from('not-the-secret'))(req) : answerWith(Code.DisconnectAck)(req)));
    const c = new DisconnectClient({ attempts: 3, timeoutMs: 100, maxPending: 10 }, (why) => invalid.push(why));
    expect(await c.send({ address: '127.0.0.1', port: n.port }, TARGET, SECRET, AT)).toEqual({ outcome: 'ack', attempts: 2 });
    expect(invalid).toEqual(['bad_authenticator']);
    await c.close();
  });

  it('bounds what is outstanding, and finishes everything on close', async () => {
    const n = await nas(() => undefined);
    const c = new DisconnectClient({ attempts: 5, timeoutMs: 1000, maxPending: 2 });
    const dest = { address: '127.0.0.1', port: n.port };
    const a = c.send(dest, TARGET, SECRET, AT);
    const b = c.send(dest, TARGET, SECRET, AT);
    expect(await c.send(dest, TARGET, SECRET, AT)).toMatchObject({ outcome: 'error', message: expect.stringContaining('outstanding') });
    await new Promise((r) => setTimeout(r, 50));
    expect(c.outstanding).toBe(2);
    await c.close();
    expect(await a).toMatchObject({ outcome: 'error', message: 'shutting down' });
    expect(await b).toMatchObject({ outcome: 'error' });
    // Two requests at once to one NAS use different Identifiers.
    expect(n.seen[0]!.packet[1]).not.toBe(n.seen[1]!.packet[1]);
  });
});

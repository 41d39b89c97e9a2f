// The load generator's TLS 1.3 client (src/bench/tls13-client.ts) against certgate's TLS 1.3
// server in process: what it ends with, and what it refuses. It shares the server's codec and key
// schedule, so these tests do not show interoperability; test/bench/bench.test.ts does, against
// OpenSSL's server (certgate with tls13Server: openssl) and FreeRADIUS, where the MPPE keys must
// match the MSK this client derives.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClientTls, makeClientTls } from '../../src/bench/eap-tls-client.js';
import { ServerAlert, Tls13Client, Tls13ClientError, type Tls13Ticket, UntrustedServer } from '../../src/bench/tls13-client.js';
import type { TlsSettings } from '../../src/tls/context.js';
import { Tls13Context } from '../../src/tls/tls13/context.js';
import { HandshakeType, handshake, parseClientHello, serverHello } from '../../src/tls/tls13/messages.js';
import { ContentType, plainRecord } from '../../src/tls/tls13/records.js';
import { Tls13Server } from '../../src/tls/tls13/server.js';
import { u16, withLength } from '../../src/tls/tls13/wire.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';

let pki: TestPki;
let settings: TlsSettings;
let config: ClientTls;
const ticketKeys = randomBytes(48);

beforeAll(() => {
  pki = makeTestPki();
  settings = { certificate: pki.serverCert, privateKey: pki.serverKey, minVersion: '1.2', sessionLifetimeSeconds: 3600 };
  const m = pki.member('alice');
  config = makeClientTls({ ca: readFileSync(pki.caCert), cert: readFileSync(m.cert), key: readFileSync(m.key), tls: '1.3' });
});

/** A HelloRetryRequest (RFC 8446 4.1.4): a ServerHello with the special random, naming the group it wants. */
function helloRetryRequest(sessionId: Buffer, group: number, cookie?: Buffer): Buffer {
  const ext = (type: number, body: Buffer) => Buffer.concat([u16(type), withLength(2, body)]);
  const exts = [ext(43, u16(0x0304)), ext(51, u16(group)), ...(cookie ? [ext(44, withLength(2, cookie))] : [])];
  const random = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
  return handshake(HandshakeType.server_hello, Buffer.concat([u16(0x0303), random, withLength(1, sessionId), u16(0x1301), Buffer.from([0]), withLength(2, Buffer.concat(exts))]));
}

/** The client's hello to a fresh server; the server and its first flight. */
function serverFlight(ctx: Tls13Context, client: Tls13Client) {
  const hello = client.hello();
  const plan = ctx.plan(hello);
  if (typeof plan === 'string') throw new Error(`routed to OpenSSL: ${plan}`);
  const server = new Tls13Server(ctx, plan);
  const first = server.step(hello);
  if (first.state !== 'handshaking') throw new Error(`server: ${first.state}`);
  return { server, output: first.output };
}

function handshakeWith(ctx: Tls13Context, client: Tls13Client) {
  const { server, output } = serverFlight(ctx, client);
  const flight = client.receive(output);
  const second = server.step(flight);
  if (second.state !== 'established') throw new Error(`server: ${second.state}`);
  const ack = client.receive(second.output);
  return { second, ack };
}

describe('certgate bench TLS 1.3 client', () => {
  it('completes a full handshake: the same MSK as the server, a ticket, the commitment, nothing more to send', () => {
    const client = new Tls13Client(config, undefined);
    const { second, ack } = handshakeWith(new Tls13Context(settings, ticketKeys), client);
    expect(client.established).toBe(true);
    expect(client.resumed).toBe(false);
    expect(client.committed).toBe(true);
    expect(ack.length).toBe(0);
    expect(client.msk()?.equals(second.session!.msk)).toBe(true);
    expect(second.session!.peerChain[0]).toEqual(config.chain[0]);
    expect(client.ticket?.lifetimeS).toBe(3600);
  });

  it('resumes from its ticket: no certificates, the same MSK as the server', () => {
    const ctx = new Tls13Context(settings, ticketKeys);
    const first = new Tls13Client(config, undefined);
    handshakeWith(ctx, first);
    const again = new Tls13Client(config, first.ticket);
    const { second } = handshakeWith(ctx, again);
    expect(again.resumed).toBe(true);
    expect(second.session!.resumed).toBe(true);
    expect(again.msk()?.equals(second.session!.msk)).toBe(true);
  });

  it('does not offer a ticket past its lifetime (full handshake instead)', () => {
    const ctx = new Tls13Context(settings, ticketKeys);
    const first = new Tls13Client(config, undefined);
    handshakeWith(ctx, first);
    const old: Tls13Ticket = { ...first.ticket!, receivedAt: Date.now() - 3601_000 };
    const again = new Tls13Client(config, old);
    expect(parseClientHello(again.hello().subarray(5)).psk).toBeUndefined();
  });

  it('refuses a server whose chain does not lead to its trust anchors, before sending anything', () => {
    const m = pki.member('alice');
    const other = makeClientTls({ ca: readFileSync(pki.otherCaCert), cert: readFileSync(m.cert), key: readFileSync(m.key), tls: '1.3' });
    const client = new Tls13Client(other, undefined);
    const { output } = serverFlight(new Tls13Context(settings, ticketKeys), client);
    expect(() => client.receive(output)).toThrow(UntrustedServer);
    expect(client.established).toBe(false);
  });

  it('refuses a tampered server flight (bad_record_mac)', () => {
    const client = new Tls13Client(config, undefined);
    const { output } = serverFlight(new Tls13Context(settings, ticketKeys), client);
    const out = Buffer.from(output);
    out[out.length - 20]! ^= 1;
    expect(() => client.receive(out)).toThrow(/bad_record_mac/);
    expect(() => client.receive(output)).toThrow(/state failed/);
  });

  it('answers a HelloRetryRequest with the same ClientHello but for a share of the group it asks for and its cookie', () => {
    const client = new Tls13Client(config, undefined);
    const ch1 = parseClientHello(client.hello().subarray(5));
    expect(ch1.keyShares.map((k) => k.group)).toEqual([0x001d]);
    const out = client.receive(plainRecord(ContentType.handshake, helloRetryRequest(ch1.legacySessionId, 0x0017, Buffer.from('cookie'))));
    // The ChangeCipherSpec (middlebox compatibility), then the second ClientHello.
    expect([...out.subarray(0, 6)]).toEqual([20, 3, 3, 0, 1, 1]);
    const ch2Message = out.subarray(6 + 5);
    const ch2 = parseClientHello(ch2Message);
    expect(ch2.random).toEqual(ch1.random);
    expect(ch2.legacySessionId).toEqual(ch1.legacySessionId);
    expect(ch2.keyShares.map((k) => [k.group, k.key.length])).toEqual([[0x0017, 65]]);
    expect(ch2Message.includes(Buffer.concat([Buffer.from([0, 44, 0, 8, 0, 6]), Buffer.from('cookie')]))).toBe(true);
    // A second HelloRetryRequest ends it.
    expect(() => client.receive(plainRecord(ContentType.handshake, helloRetryRequest(ch1.legacySessionId, 0x0018)))).toThrow(/second HelloRetryRequest/);
  });

  it('refuses a HelloRetryRequest for a group it has no implementation of (x448)', () => {
    const client = new Tls13Client(config, undefined);
    const ch1 = parseClientHello(client.hello().subarray(5));
    expect(() => client.receive(plainRecord(ContentType.handshake, helloRetryRequest(ch1.legacySessionId, 0x001e)))).toThrow(/group 30/);
  });

  it('reports a server alert as such (the EAP layer acknowledges it and waits for the Reject)', () => {
    const client = new Tls13Client(config, undefined);
    client.hello();
    expect(() => client.receive(plainRecord(ContentType.alert, Buffer.from([2, 40])))).toThrow(ServerAlert);
  });

  it('refuses a ServerHello that does not echo its session ID', () => {
    const client = new Tls13Client(config, undefined);
    client.hello();
    const sh = serverHello({ random: randomBytes(32), sessionIdEcho: randomBytes(32), suite: 0x1301, keyShare: { group: 0x001d, key: randomBytes(32) }, pskIndex: undefined });
    expect(() => client.receive(plainRecord(ContentType.handshake, sh))).toThrow(Tls13ClientError);
    expect(() => client.receive(plainRecord(ContentType.handshake, handshake(HandshakeType.finished, Buffer.alloc(32))))).toThrow(/state failed/);
  });
});

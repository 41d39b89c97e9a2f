// RadSec (RFC 6614) against an in-process TLS server on the fixture PKI: mutual certificates, the
// "radsec" secret, packets split across TLS records, server-name checks, unreachable servers.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { RADSEC_SECRET, radsecChannel } from '../../src/proxy/radsec-channel.js';
import { UpstreamServer } from '../../src/proxy/upstream-server.js';
import { verifyMessageAuthenticator } from '../../src/radius/authenticator.js';
import { Attr, Code } from '../../src/radius/packet.js';
import { decodePacket } from '../../src/radius/parser.js';
import { encodeReply } from '../../src/radius/reply.js';
import { StreamFramer } from '../../src/proxy/stream-framer.js';
import { freePort } from '../helpers/freeradius-home.js';

const F = new URL('../../certs-fixtures/', import.meta.url);
const file = (p: string) => readFileSync(new URL(p, F));
const creds = (serverName: string | undefined) => ({ cert: file('members/alice.pem'), key: file('members/alice.key'), ca: file('ca/ca.pem'), serverName });

let closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function radsecServer(): Promise<{ port: number; clientSubjects: string[] }> {
  const clientSubjects: string[] = [];
  const server = tls.createServer({ cert: file('server.pem'), key: file('server.key'), ca: file('ca/ca.pem'), requestCert: true, rejectUnauthorized: true }, (sock) => {
    clientSubjects.push(String(sock.getPeerCertificate().subject?.CN ?? ''));
    const framer = new StreamFramer();
    let writes = Promise.resolve();
    sock.on('data', (chunk: Buffer) => {
      const r = framer.push(chunk);
      if (!r.ok) return sock.destroy();
      const replies: Buffer[] = [];
      for (const raw of r.packets) {
        const d = decodePacket(raw);
        if (!d.ok || !verifyMessageAuthenticator(d.raw, d.messageAuthenticatorOffset, RADSEC_SECRET)) continue;
        const reply = encodeReply({
          code: d.packet.code === Code.StatusServer ? Code.AccessAccept : Code.AccessChallenge,
          identifier: d.packet.identifier,
          requestAuthenticator: d.packet.authenticator,
          attributes: d.packet.attributes.filter((a) => a.type === Attr.ProxyState),
          secret: RADSEC_SECRET,
          messageAuthenticator: true,
        });
        replies.push(reply);
      }
      // Split across writes: the client must frame by Length, not by read.
      const out = Buffer.concat(replies);
      writes = writes.then(async () => {
        sock.write(out.subarray(0, 7));
        await new Promise((res) => setTimeout(res, 20));
        sock.write(out.subarray(7));
      });
    });
    sock.on('error', () => undefined);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port, clientSubjects };
}

function upstream(port: number, serverName: string | undefined) {
  const states: boolean[] = [];
  const s = new UpstreamServer({
    name: `radsec:127.0.0.1:${port}`,
    secret: RADSEC_SECRET,
    channel: radsecChannel({ host: '127.0.0.1', port, family: 4 }, creds(serverName)),
    timeoutMs: 2000,
    tries: 3,
    maxChannels: 1,
    probeIntervalMs: 60_000,
    clock: Date.now,
    observer: { dropped: () => undefined, state: (_n, up) => states.push(up) },
  });
  closers.push(() => s.close());
  return { s, states };
}

describe('RadSec channel', () => {
  it('exchanges over TLS with mutual certificates and the "radsec" secret, framing by Length', async () => {
    const srv = await radsecServer();
    const { s } = upstream(srv.port, 'radius.demo.jaist.ac.jp');
    const ps = { type: Attr.ProxyState, value: Buffer.from('ps') };
    const [a, b] = await Promise.all([s.exchange(Code.AccessRequest, [ps]), s.exchange(Code.AccessRequest, [ps])]);
    expect(a.kind === 'reply' && a.packet.code).toBe(Code.AccessChallenge);
    expect(b.kind === 'reply' && b.packet.code).toBe(Code.AccessChallenge);
    expect(srv.clientSubjects).toEqual(['Alice']);
    expect(s.up).toBe(true);
  });

  it('refuses a server certificate that does not name serverName', async () => {
    const srv = await radsecServer();
    const { s, states } = upstream(srv.port, 'flr.example.org');
    expect(await s.exchange(Code.AccessRequest, [])).toEqual({ kind: 'connection_lost' });
    expect(s.up).toBe(false);
    expect(states).toEqual([false]);
  });

  it('marks an unreachable server dead at once', async () => {
    const { s } = upstream(await freePort(), undefined);
    expect(await s.exchange(Code.AccessRequest, [])).toEqual({ kind: 'connection_lost' });
    expect(s.up).toBe(false);
  });
});

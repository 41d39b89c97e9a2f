// An in-process upstream RADIUS server on UDP loopback for the proxy's unit tests: checks what it
// receives like a real one would and answers as the test scripts it.
import dgram from 'node:dgram';
import { verifyMessageAuthenticator } from '../../src/radius/authenticator.js';
import { Attr, Code, type RadiusAttribute, type RadiusPacket } from '../../src/radius/packet.js';
import { decodePacket } from '../../src/radius/parser.js';
import { encodeReply } from '../../src/radius/reply.js';

export interface Received {
  packet: RadiusPacket;
  maValid: boolean;
}

/** Returns the reply's code and attributes (Proxy-State is echoed automatically), or null to stay silent. */
export type Script = (req: RadiusPacket, n: number) => { code: number; attributes: RadiusAttribute[]; ma?: boolean } | null;

export interface FakeUpstream {
  port: number;
  address: string;
  received: Received[];
  script: Script;
  /** Sends a raw datagram to the last requester (for forged answers). */
  sendRaw(buf: Buffer): void;
  close(): Promise<void>;
}

export async function fakeUpstream(secret: Buffer, script: Script): Promise<FakeUpstream> {
  const socket = dgram.createSocket('udp4');
  let last: dgram.RemoteInfo | undefined;
  const f: FakeUpstream = {
    port: 0,
    address: '127.0.0.1',
    received: [],
    script,
    sendRaw(buf) {
      if (last) socket.send(buf, last.port, last.address);
    },
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
  socket.on('message', (msg, rinfo) => {
    last = rinfo;
    const d = decodePacket(msg);
    if (!d.ok) return;
    const maValid = d.messageAuthenticatorOffset >= 0 && verifyMessageAuthenticator(d.raw, d.messageAuthenticatorOffset, secret);
    f.received.push({ packet: { ...d.packet, authenticator: Buffer.from(d.packet.authenticator) }, maValid });
    const r = f.script(d.packet, f.received.length);
    if (!r) return;
    const proxyState = d.packet.attributes.filter((a) => a.type === Attr.ProxyState);
    const reply = encodeReply({
      code: r.code,
      identifier: d.packet.identifier,
      requestAuthenticator: d.packet.authenticator,
      attributes: [...r.attributes, ...proxyState],
      secret,
      messageAuthenticator: r.ma ?? true,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  f.port = socket.address().port;
  return f;
}

export const statusOk: Script = (req) => (req.code === Code.StatusServer ? { code: Code.AccessAccept, attributes: [], ma: false } : null);

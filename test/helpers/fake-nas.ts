// The NAS's side of RFC 5176 on loopback, for tests: receives Disconnect-Requests, checks their
// Request Authenticator and Message-Authenticator independently of src/ (plain MD5/HMAC), and
// answers ACK, NAK (Error-Cause 503) or nothing.
import { createHash, createHmac } from 'node:crypto';
import dgram from 'node:dgram';
import { Attr, Code } from '../../src/radius/packet.js';
import { decodePacket } from '../../src/radius/parser.js';
import { encodeReply } from '../../src/radius/reply.js';
import { attr } from '../../src/radius/serializer.js';

export type NasMode = 'ack' | 'nak503' | 'silent';
export interface DisconnectReceived {
  at: number;
  raw: Buffer;
  /** Request Authenticator = MD5(code|id|length|16 zeros|attributes|secret), RFC 5176 3.5. */
  authenticatorOk: boolean;
  /** HMAC-MD5 over the packet with the authenticator field and the MA value zeroed. */
  messageAuthenticatorOk: boolean;
}

/** The NAS's side of RFC 5176: a UDP socket on loopback playing the CoA/DM server. */
export async function fakeNas(secret: string, mode: NasMode) {
  const socket = dgram.createSocket('udp4');
  const received: DisconnectReceived[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (raw, from) => {
    const zeroed = Buffer.from(raw);
    zeroed.fill(0, 4, 20);
    const authenticatorOk = createHash('md5').update(zeroed).update(secret).digest().equals(raw.subarray(4, 20));
    const d = decodePacket(raw);
    let messageAuthenticatorOk = false;
    if (d.ok && d.messageAuthenticatorOffset >= 0) {
      const z = Buffer.from(zeroed);
      z.fill(0, d.messageAuthenticatorOffset, d.messageAuthenticatorOffset + 16);
      messageAuthenticatorOk = createHmac('md5', secret).update(z).digest().equals(raw.subarray(d.messageAuthenticatorOffset, d.messageAuthenticatorOffset + 16));
    }
    received.push({ at: Date.now(), raw, authenticatorOk, messageAuthenticatorOk });
    for (const w of waiters.splice(0)) w();
    if (mode === 'silent') return;
    const reply = encodeReply({
      code: mode === 'ack' ? Code.DisconnectAck : Code.DisconnectNak,
      identifier: raw[1]!,
      requestAuthenticator: raw.subarray(4, 20),
      attributes: mode === 'nak503' ? [attr(Attr.ErrorCause, 503)] : [],
      secret: Buffer.from(secret),
      messageAuthenticator: true,
    });
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return {
    port: socket.address().port,
    received,
    /** Resolves with the nth request (1-based) once it has arrived. */
    nth: (n: number, timeoutMs = 5000) =>
      new Promise<DisconnectReceived>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`NAS got ${received.length} Disconnect-Requests, waited for ${n}`)), timeoutMs);
        const check = () => (received.length >= n ? (clearTimeout(t), resolve(received[n - 1]!)) : waiters.push(check));
        check();
      }),
    close: () => socket.close(),
  };
}

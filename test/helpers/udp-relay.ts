// A RADIUS relay for tests: the supplicant (eapol_test) talks to one UDP port, the relay forwards
// to the current gateway and sends the answers back. switchTo() moves later packets to another
// gateway, e.g. after the first login's Access-Accept, so a re-authentication lands elsewhere, the
// way an AP fails over from its primary to its secondary RADIUS server.
import dgram from 'node:dgram';

export interface UdpRelay {
  port: number;
  /** Codes of the replies relayed so far (2 = Access-Accept, 3 = Reject, 11 = Challenge). */
  replies: number[];
  switchTo(port: number): void;
  /** Switch to `port` as soon as an Access-Accept has been relayed. */
  switchAfterAccept(port: number): void;
  close(): Promise<void>;
}

export async function startUdpRelay(targetPort: number): Promise<UdpRelay> {
  let target = targetPort;
  let afterAccept: number | undefined;
  let client: { address: string; port: number } | undefined;
  const replies: number[] = [];
  const front = dgram.createSocket('udp4');
  const back = dgram.createSocket('udp4');
  front.on('message', (msg, rinfo) => {
    client = { address: rinfo.address, port: rinfo.port };
    back.send(msg, target, '127.0.0.1');
  });
  back.on('message', (msg) => {
    if (!client) return;
    replies.push(msg[0] ?? 0);
    front.send(msg, client.port, client.address);
    if (msg[0] === 2 && afterAccept !== undefined) {
      target = afterAccept;
      afterAccept = undefined;
    }
  });
  await new Promise<void>((r) => back.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => front.bind(0, '127.0.0.1', () => r()));
  return {
    port: front.address().port,
    replies,
    switchTo(port) {
      target = port;
    },
    switchAfterAccept(port) {
      afterAccept = port;
    },
    async close() {
      await new Promise<void>((r) => front.close(() => r()));
      await new Promise<void>((r) => back.close(() => r()));
    },
  };
}

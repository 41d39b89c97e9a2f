import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Endpoint } from '../config/endpoint.js';
import type { RadsecConfig } from './proxy-config.js';
import type { Channel, ChannelEvents, ChannelFactory } from './channel.js';
import { StreamFramer } from './stream-framer.js';

/** The shared secret of RADIUS over TLS: security comes from TLS, the secret is this constant (RFC 6614 2.3). */
export const RADSEC_SECRET = Buffer.from('radsec');

/** Certificate, key and CA read once (at start); a bad file stops start-up with its name. */
export interface RadsecCredentials {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  serverName: string | undefined;
}

export function loadRadsecCredentials(c: RadsecConfig): RadsecCredentials {
  return { cert: readFileSync(c.certificate), key: readFileSync(c.privateKey), ca: readFileSync(c.ca), serverName: c.serverName };
}

/**
 * A TLS connection (mutual certificates, TLS 1.2 or later) carrying RADIUS packets framed by their
 * Length field. The server certificate must chain to `ca`; when serverName is configured it must
 * also name that host (SNI is sent too). A framing error or any TLS/TCP failure closes the connection.
 */
export function radsecChannel(server: Endpoint, creds: RadsecCredentials): ChannelFactory {
  return (events: ChannelEvents): Channel => {
    const framer = new StreamFramer();
    let open = true;
    let established = false;
    const socket = tls.connect({
      host: server.host,
      port: server.port,
      cert: creds.cert,
      key: creds.key,
      ca: creds.ca,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      ...(creds.serverName !== undefined ? { servername: creds.serverName } : { checkServerIdentity: () => undefined }),
    });
    const end = (reason: string) => {
      if (!open) return;
      open = false;
      socket.destroy();
      events.closed(reason, established);
    };
    socket.once('secureConnect', () => (established = true));
    socket.on('data', (chunk: Buffer) => {
      const r = framer.push(chunk);
      if (!r.ok) return end(r.reason);
      for (const p of r.packets) events.packet(p);
    });
    socket.on('error', (err) => end(err.message));
    socket.on('close', () => end('connection closed'));
    socket.setNoDelay(true);
    return {
      reliable: true,
      // Written before the handshake completes, packets are held by the TLS socket until it does.
      send(packet) {
        if (open) socket.write(packet);
      },
      close() {
        if (!open) return;
        open = false;
        socket.destroy();
      },
    };
  };
}

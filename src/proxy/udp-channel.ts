import dgram from 'node:dgram';
import type { Endpoint } from '../config/endpoint.js';
import type { Channel, ChannelEvents, ChannelFactory } from './channel.js';

/**
 * A UDP socket of our own (ephemeral port) towards one upstream server. Only datagrams from that
 * server's address and port are taken as answers; anything else is ignored.
 */
export function udpChannel(server: Endpoint, onError: (err: Error) => void): ChannelFactory {
  return (events: ChannelEvents): Channel => {
    const socket = dgram.createSocket({ type: server.family === 6 ? 'udp6' : 'udp4' });
    let open = true;
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port === server.port && sameAddress(rinfo.address, server.host)) events.packet(msg);
    });
    socket.on('error', onError);
    return {
      reliable: false,
      send(packet) {
        if (open) socket.send(packet, server.port, server.host);
      },
      close() {
        if (!open) return;
        open = false;
        socket.close();
      },
    };
  };
}

const sameAddress = (a: string, b: string) => a === b || a === `::ffff:${b}` || a.toLowerCase() === b.toLowerCase();

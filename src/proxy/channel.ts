// One path to an upstream server: a UDP socket, or a RadSec (RADIUS over TLS) connection. Each has
// its own 256-value Identifier space; the upstream server opens as many as its load needs, up to a limit.

export interface ChannelEvents {
  /** A RADIUS packet (a whole datagram, or one framed packet from a stream). */
  packet(data: Buffer): void;
  /**
   * Stream channels only: the connection is gone; requests outstanding on it will get no answer.
   * `established` is false when it never got through the TLS handshake (the server is unreachable).
   */
  closed(reason: string, established: boolean): void;
}

export interface Channel {
  /** Reliable (TCP/TLS) channels are never retransmitted on (RFC 6614 2.5, RFC 5080 2.2.1). */
  readonly reliable: boolean;
  send(packet: Buffer): void;
  close(): void;
}

export type ChannelFactory = (events: ChannelEvents) => Channel;

// RADIUS over a byte stream (RadSec, RFC 6614 2.3): packets follow each other, each delimited by
// its own Length field. Pure: bytes in, whole packets out.
import { MAX_PACKET, MIN_PACKET } from '../radius/packet.js';

export type FramerResult = { ok: true; packets: Buffer[] } | { ok: false; reason: string };

export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);

  /** Bytes held waiting for the rest of a packet (at most MAX_PACKET - 1). */
  get pending(): number {
    return this.buffer.length;
  }

  /** Feeds received bytes; a Length outside 20..4096 breaks the stream (the connection must be closed). */
  push(chunk: Buffer): FramerResult {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const packets: Buffer[] = [];
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt16BE(2);
      if (length < MIN_PACKET || length > MAX_PACKET) return { ok: false, reason: `bad RADIUS Length ${length} on the stream` };
      if (this.buffer.length < length) break;
      // A copy: the packet outlives the chunk it came in.
      packets.push(Buffer.from(this.buffer.subarray(0, length)));
      this.buffer = this.buffer.subarray(length);
    }
    if (this.buffer.length === 0) this.buffer = Buffer.alloc(0);
    return { ok: true, packets };
  }
}

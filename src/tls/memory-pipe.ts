import { Duplex } from 'node:stream';

/**
 * The in-memory "wire" under a server TLSSocket: TLS records from the peer are pushed in, records
 * OpenSSL writes are collected for the EAP layer to frame. `writes` counts output so the engine can
 * tell when OpenSSL has gone quiet after an input.
 */
export class MemoryPipe extends Duplex {
  private out: Buffer[] = [];
  private outBytes = 0;
  writes = 0;

  override _read(): void {
    // Input is pushed by deliver(); nothing to pull.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.out.push(chunk);
    this.outBytes += chunk.length;
    this.writes++;
    cb();
  }

  deliver(records: Buffer): void {
    this.push(records);
  }

  collect(): Buffer {
    const b = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out, this.outBytes);
    this.out = [];
    this.outBytes = 0;
    return b;
  }
}

// Random values for the hot path, drawn from OpenSSL's CSPRNG 4 KB at a time. Every randomBytes()
// is a trip into OpenSSL, which checks the process id with a system call on each draw; on the VMs
// of docs/BENCHMARKS.md that made a 16-byte EAP State cost as much as the rest of its round trip.
// For values that must be unpredictable or unique but are not keys (State, TLS randoms, AEAD
// nonces): each byte is handed out once, as a copy, and the pool never leaves this thread.
import { randomBytes } from 'node:crypto';

const BLOCK = 4096;
let pool = Buffer.alloc(0);
let at = 0;

export function randomPooled(n: number): Buffer {
  if (n > BLOCK / 16) return randomBytes(n);
  if (at + n > pool.length) {
    pool = randomBytes(BLOCK);
    at = 0;
  }
  // Its own memory, not a slice of Node's shared pool: a State lives as long as its conversation,
  // and a pool slice would keep the whole 8 KB slab, other packets' garbage included, alive with it.
  const out = Buffer.allocUnsafeSlow(n);
  pool.copy(out, 0, at, at + n);
  at += n;
  return out;
}

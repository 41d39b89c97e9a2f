import type { TlsStep } from './engine.js';
import type { TlsSettings } from './context.js';
import type { RouteLabel } from './handshake-factory.js';

/** Messages between the main thread and a TLS worker (structured clone: plain data and Buffers). */
export type ToWorker =
  | { op: 'configure'; settings: TlsSettings; ticketKeys: Uint8Array }
  | { op: 'feed'; id: number; seq: number; records: Uint8Array }
  | { op: 'destroy'; id: number };

export type FromWorker =
  /** `route`: on a handshake's first step, which server took it (for the main thread's metrics). */
  | { op: 'step'; seq: number; step: TlsStep; route?: RouteLabel }
  | { op: 'error'; seq: number; message: string }
  | { op: 'configured'; error?: string }
  /** A new TLS 1.2 session ID this worker can resume: the main thread routes its return here. */
  | { op: 'session'; id: string };

/**
 * An exact-size copy whose memory can be transferred. Posting a Buffer that is a slice of Node's
 * pool would clone the whole pool block (8 KB on Node 20, 64 KB on Node 24) on every message.
 */
export function detach(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.byteLength);
  out.set(b);
  return out;
}

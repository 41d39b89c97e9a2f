// A TLS worker thread: runs OpenSSL handshakes for the conversations pinned to it. It knows nothing
// of RADIUS, EAP or policy; it turns TLS records into TLS records and reports the session facts.
import { parentPort } from 'node:worker_threads';
import type { TlsHandshake, TlsStep } from './engine.js';
import { HandshakeFactory, type RouteLabel, routeLabel } from './handshake-factory.js';
import { SESSION_CACHE_MAX, SessionCache } from './session-cache.js';
import { type FromWorker, type ToWorker, detach } from './worker-protocol.js';

const port = parentPort!;
const engines = new Map<number, TlsHandshake>();
let factory: HandshakeFactory | undefined;
let sessions: SessionCache | undefined;

const reply = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/** The step with every byte array detached, and the list of their memory to transfer. */
function portable(step: TlsStep): { step: TlsStep; transfer: ArrayBuffer[] } {
  const output = detach(step.output);
  const transfer = [output.buffer as ArrayBuffer];
  const out: TlsStep = { ...step, output: output as Buffer };
  if (step.session) {
    const msk = detach(step.session.msk);
    const chain = step.session.peerChain.map(detach);
    transfer.push(msk.buffer as ArrayBuffer, ...chain.map((c) => c.buffer as ArrayBuffer));
    out.session = { ...step.session, msk: msk as Buffer, peerChain: chain as Buffer[] };
    if (step.session.peerLeafSha256) {
      const leaf = detach(step.session.peerLeafSha256);
      transfer.push(leaf.buffer as ArrayBuffer);
      out.session.peerLeafSha256 = leaf as Buffer;
    }
  }
  return { step: out, transfer };
}

port.on('message', (m: ToWorker) => {
  switch (m.op) {
    case 'configure':
      try {
        sessions ??= m.settings.sessionLifetimeSeconds > 0 ? new SessionCache(SESSION_CACHE_MAX, m.settings.sessionLifetimeSeconds, (id) => reply({ op: 'session', id })) : undefined;
        factory = new HandshakeFactory(m.settings, Buffer.from(m.ticketKeys), sessions);
        reply({ op: 'configured' });
      } catch (e) {
        reply({ op: 'configured', error: (e as Error).message });
      }
      return;
    case 'feed': {
      const records = Buffer.from(m.records.buffer, m.records.byteOffset, m.records.byteLength);
      let engine = engines.get(m.id);
      let route: RouteLabel | undefined;
      if (!engine) {
        // A handshake keeps the context it started with; a reload affects new ones only.
        const r = factory!.route(records);
        route = routeLabel(r);
        engine = factory!.open(records, r);
        engines.set(m.id, engine);
      }
      const done = engine;
      engine.feed(records).then(
        (step) => {
          // Over once established or failed: forget it now rather than wait for a destroy message.
          if (step.state !== 'handshaking') {
            done.destroy();
            engines.delete(m.id);
          }
          const p = portable(step);
          reply({ op: 'step', seq: m.seq, step: p.step, ...(route ? { route } : {}) }, p.transfer);
        },
        (e: Error) => reply({ op: 'error', seq: m.seq, message: e.message }),
      );
      return;
    }
    case 'destroy':
      engines.get(m.id)?.destroy();
      engines.delete(m.id);
      return;
  }
});

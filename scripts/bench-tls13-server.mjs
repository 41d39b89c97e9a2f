// Server-side CPU of certgate's TLS 1.3 handshake alone (no RADIUS, no EAP): the time spent inside
// Tls13Server.step, which is synchronous, while a node:tls client (OpenSSL) runs the other side in
// the same process outside the timed region. Full handshakes, then resumed ones.
//   npx tsc -p . && node scripts/bench-tls13-server.mjs [N] [PKI_DIR] [GROUPS]
// (PKI_DIR defaults to certs-fixtures/; the server key decides the signature, RSA-2048 there.
// GROUPS: the client's groups, default X25519; on Node 24 try X25519MLKEM768:X25519. The client's
// garbage is collected in the timed region too, so these figures are an upper bound.)
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { MemoryPipe } = await import(`${root}dist/tls/memory-pipe.js`);
const { Tls13Context } = await import(`${root}dist/tls/tls13/context.js`);
const { Tls13Server } = await import(`${root}dist/tls/tls13/server.js`);

const N = Number(process.argv[2] ?? 1000);
const pki = process.argv[3] || `${root}certs-fixtures`;
const groups = process.argv[4] || 'X25519';
const ctx = new Tls13Context({ certificate: `${pki}/server.pem`, privateKey: `${pki}/server.key`, minVersion: '1.2', sessionLifetimeSeconds: 3600 }, randomBytes(48));
const client = { ca: readFileSync(`${pki}/ca/ca.pem`), cert: readFileSync(`${pki}/members/alice.pem`), key: readFileSync(`${pki}/members/alice.key`) };
const turns = async () => {
  for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
};

/** One handshake; returns the server's nanoseconds and the session to resume next. */
async function handshake(session) {
  const pipe = new MemoryPipe();
  let ticket;
  const socket = tls.connect({ socket: pipe, ...client, minVersion: 'TLSv1.3', ecdhCurve: groups, checkServerIdentity: () => undefined, ...(session ? { session } : {}) });
  socket.on('session', (s) => (ticket = s));
  socket.on('error', () => undefined);
  await turns();
  const hello = pipe.collect();
  let t = process.hrtime.bigint();
  const plan = ctx.plan(hello);
  if (typeof plan === 'string') throw new Error(`routed to OpenSSL: ${plan}`);
  const server = new Tls13Server(ctx, plan);
  const first = server.step(hello);
  let ns = process.hrtime.bigint() - t;
  pipe.deliver(first.output);
  await turns();
  const flight = pipe.collect();
  t = process.hrtime.bigint();
  const done = server.step(flight);
  ns += process.hrtime.bigint() - t;
  if (done.state !== 'established') throw new Error(done.error);
  pipe.deliver(done.output);
  await turns();
  socket.destroy();
  return { ns, ticket, resumed: done.session.resumed };
}

for (const mode of ['full', 'resumed']) {
  let total = 0n;
  let resumed = 0;
  let { ticket } = await handshake();
  for (let i = 0; i < N + 100; i++) {
    const r = await handshake(mode === 'resumed' ? ticket : undefined);
    if (mode === 'resumed') ticket = r.ticket ?? ticket;
    if (i < 100) continue; // warm-up
    total += r.ns;
    if (r.resumed) resumed++;
  }
  console.log(`${process.version} (OpenSSL ${process.versions.openssl}) ${groups} ${mode}: ${(Number(total) / N / 1000).toFixed(1)} µs of server CPU per handshake (${resumed}/${N} resumed)`);
}

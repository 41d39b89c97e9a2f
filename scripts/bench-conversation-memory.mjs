#!/usr/bin/env node
// Memory per pending EAP conversation (one that got its EAP-TLS Start and never answered), the
// state a flood of abandoned logins makes us hold. Runs the BUILT code (npm run build first):
//   node --expose-gc scripts/bench-conversation-memory.mjs [--count 20000] [--handshakes 1000] [--json]
// Prints heapUsed+external growth per conversation, alone and with its duplicate-cache entry
// (the cached Access-Challenge a retransmit would get), after full garbage collections; and, for
// comparison, the cost of a conversation that got as far as a ClientHello (an OpenSSL handshake
// in this thread: its native memory shows only in RSS), which eap.maxHandshakes bounds.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { HandshakePool } from '../dist/tls/engine-pool.js';
import { MemoryPipe } from '../dist/tls/memory-pipe.js';
import { encodeTlsFrame } from '../dist/eap/tls-framing.js';
import { EapServer } from '../dist/eap/eap-server.js';
import { EapCode, EapType, encodeEap } from '../dist/eap/packet.js';
import { DuplicateCache } from '../dist/radius/dedup.js';
import { encodeReply } from '../dist/radius/reply.js';
import { splitEapMessage } from '../dist/radius/eap-message.js';
import { attr } from '../dist/radius/serializer.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '20000' }, handshakes: { type: 'string', default: '1000' }, json: { type: 'boolean', default: false } } });
const count = Number(values.count);
if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}

const settings = { fragmentSize: 1024, maxMessageBytes: 65536, maxRounds: 50, idleTimeoutSeconds: 30, maxConversations: 1_000_000, maxConversationsPerClient: 1_000_000, maxConversationsPerStation: 4, maxHandshakes: 1_000_000 };
const noTls = () => {
  throw new Error('a pending conversation must not start TLS');
};
const secret = Buffer.from('testing123');
const now = new Date();

function settle() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external, total: m.heapUsed + m.external, rss: m.rss };
}

const mac = (i) => `02-00-${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join('-')}`;

async function measure(withDuplicateEntry) {
  const eap = new EapServer(settings, noTls, async () => undefined);
  const dup = new DuplicateCache({ ttlMs: 30_000, max: 1_000_000 });
  const fill = async (n, offset) => {
    for (let i = 0; i < n; i++) {
      const station = mac(offset + i).replace(/-/g, '');
      const r = await eap.handle(encodeEap(EapCode.Response, i & 0xff, EapType.Identity, Buffer.from('anonymous@jaist.ac.jp')), undefined, { framedMtu: 1400, client: `ap-${i % 50}`, callingStationId: station }, now);
      if (r.kind !== 'challenge') throw new Error(`unexpected ${r.kind}`);
      if (withDuplicateEntry) {
        const requestAuth = randomBytes(16);
        const key = `10.0.${(i >> 8) & 255}.${i & 255}|${1024 + (i % 60000)}|${i & 255}`;
        dup.check(key, requestAuth, 0);
        const reply = encodeReply({ code: 11, identifier: i & 0xff, requestAuthenticator: requestAuth, attributes: [...splitEapMessage(r.eap), attr(24, r.state)], secret, messageAuthenticator: true });
        dup.complete(key, requestAuth, reply);
      }
    }
  };
  await fill(1000, 10_000_000); // warm-up: code paths compiled, maps grown once
  eap.close();
  const before = settle();
  await fill(count, 0);
  const after = settle();
  if (eap.table.size !== count) throw new Error(`table holds ${eap.table.size}, expected ${count}`);
  const per = (k) => Math.round((after[k] - before[k]) / count);
  const out = { bytesPerConversation: per('total'), heapPerConversation: per('heap'), externalPerConversation: per('external') };
  eap.close();
  return out;
}

/** Conversations that sent a real ClientHello: the server answered, and holds the handshake. */
async function measureHandshakes(n) {
  const fixtures = new URL('../certs-fixtures/', import.meta.url);
  const pool = new HandshakePool({ certificate: new URL('server.pem', fixtures).pathname, privateKey: new URL('server.key', fixtures).pathname, minVersion: '1.2', sessionLifetimeSeconds: 0 }, 0);
  const pipe = new MemoryPipe();
  const client = tls.connect({ socket: pipe, ca: readFileSync(new URL('ca/ca.pem', fixtures)), checkServerIdentity: () => undefined });
  client.on('error', () => undefined);
  for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r));
  const hello = pipe.collect();
  client.destroy();
  const eap = new EapServer(settings, pool.newHandshake, async () => undefined);
  const one = async (i) => {
    const r = await eap.handle(encodeEap(EapCode.Response, 1, EapType.Identity, Buffer.from('anonymous@jaist.ac.jp')), undefined, { framedMtu: 1400, client: 'ap', callingStationId: `h${i}` }, now);
    const step = await eap.handle(encodeEap(EapCode.Response, r.eap[1], EapType.Tls, encodeTlsFrame(0, hello)), r.state, { framedMtu: 1400, client: 'ap', callingStationId: `h${i}` }, now);
    if (step.kind !== 'challenge') throw new Error(`ClientHello got ${step.kind}`);
  };
  for (let i = 0; i < 50; i++) await one(1_000_000 + i);
  eap.close();
  const before = settle();
  for (let i = 0; i < n; i++) await one(i);
  const after = settle();
  const held = eap.table.handshakes;
  eap.close();
  await pool.close();
  return { handshakes: held, bytesPerHandshake: Math.round((after.total - before.total) / n), rssPerHandshake: Math.round((after.rss - before.rss) / n) };
}

const conversation = await measure(false);
const withDuplicate = await measure(true);
const handshakes = Number(values.handshakes) > 0 ? await measureHandshakes(Number(values.handshakes)) : undefined;
const result = { count, node: process.version, conversation, withDuplicateEntry: withDuplicate, handshake: handshakes, limitBytes: 5120 };
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(`pending conversations: ${count} (node ${process.version})`);
  console.log(`  conversation alone:           ${conversation.bytesPerConversation} B each (heap ${conversation.heapPerConversation}, external ${conversation.externalPerConversation})`);
  console.log(`  with its duplicate-cache entry: ${withDuplicate.bytesPerConversation} B each (heap ${withDuplicate.heapPerConversation}, external ${withDuplicate.externalPerConversation})`);
  console.log(`  limit: 5120 B`);
  if (handshakes) console.log(`conversations holding a TLS handshake (after a ClientHello): ${handshakes.handshakes}: ${handshakes.bytesPerHandshake} B heap+external, ${handshakes.rssPerHandshake} B RSS each`);
}

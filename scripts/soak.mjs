#!/usr/bin/env node
// Soak: waves of abandoned logins (EAP-Response/Identity, then silence) plus random garbage
// against the BUILT gateway, with real eapol_test logins during and after. Measures the gateway's
// RSS (VmRSS from /proc/PID/status): growth = peak during the run - baseline after warm-up.
//
//   npm run build && node scripts/soak.mjs [--abandoned 20000] [--waves 2] [--rate 2000]
//                                          [--garbage 500] [--hold 35] [--json]
//
// Each wave sends --abandoned new logins at --rate per second from random Calling-Station-Ids,
// then holds for --hold seconds (past the 30 s idle expiry) with garbage still flowing. Uses the
// demo PKI in certs-fixtures/ and a throw-away store. Exit 0 when every good login succeeded and
// the growth stayed within --limit-mib (default 100).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { splitEapMessage } from '../dist/radius/eap-message.js';
import { Attr } from '../dist/radius/packet.js';
import { encodeAccessRequest } from '../dist/radius/reply.js';

const { values: o } = parseArgs({
  options: {
    abandoned: { type: 'string', default: '20000' },
    waves: { type: 'string', default: '2' },
    rate: { type: 'string', default: '2000' },
    garbage: { type: 'string', default: '500' },
    hold: { type: 'string', default: '35' },
    'limit-mib': { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIX = join(ROOT, 'certs-fixtures');
const BIN = join(ROOT, 'bin/certgate.js');
const SECRET = 'testing123';
const dir = mkdtempSync(join(tmpdir(), 'certgate-soak-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => !o.json && console.error(...a);

const config = join(dir, 'certgate.yaml');
writeFileSync(
  config,
  `radius:
  listen: ["127.0.0.1:0"]
  clients:
    - { name: lo, network: 127.0.0.0/8, secret: ${SECRET} }
tls:
  certificate: ${FIX}/server.pem
  privateKey: ${FIX}/server.key
  trustAnchors: [${FIX}/ca/ca.pem]
eap:
  # The flood and the good logins come from the same NAS: let the flood fill the whole table.
  maxConversationsPerClient: 20000
identity:
  realms: [jaist.ac.jp]
store:
  path: ${dir}/store.db
http:
  listen: "127.0.0.1:0"
log:
  level: info
`,
);

const run = (args) => new Promise((resolve) => execFile(process.execPath, [BIN, ...args], (e, out, err) => resolve({ code: e ? e.code : 0, out, err })));
const add = await run(['store', '--config', config, 'add', `${FIX}/members/alice.pem`]);
if (add.code !== 0) throw new Error(add.err);

const child = spawn(process.execPath, [BIN, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
child.stderr.on('data', (d) => (stderr += d));
const ready = await new Promise((resolve, reject) => {
  let buf = '';
  const onData = (d) => {
    buf += d;
    // Abandoned logins and garbage log nothing at info; the ready line gives the ports.
    for (const line of buf.split('\n')) {
      if (!line.includes('"certgate ready"')) continue;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve(JSON.parse(line));
      return;
    }
  };
  child.stdout.on('data', onData);
  child.once('exit', (c) => reject(new Error(`gateway exited ${c}: ${stderr}`)));
});
const PORT = Number(ready.radius.find((a) => a.startsWith('127.0.0.1:')).split(':')[1]);
const HTTP = Number(ready.http.split(':').pop());

const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]);
const metric = async (name) => {
  const text = await (await fetch(`http://127.0.0.1:${HTTP}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
};

let macN = 0;
function login() {
  const conf = join(dir, `eapol-${macN}.conf`);
  const mac = `02:00:00:00:${((macN >> 8) & 255).toString(16).padStart(2, '0')}:${(macN++ & 255).toString(16).padStart(2, '0')}`;
  writeFileSync(conf, `network={\n key_mgmt=WPA-EAP\n eap=TLS\n identity="alice@jaist.ac.jp"\n ca_cert="${FIX}/ca/ca.pem"\n client_cert="${FIX}/members/alice.pem"\n private_key="${FIX}/members/alice.key"\n eapol_flags=0\n}\n`);
  const t0 = Date.now();
  return new Promise((resolve) =>
    execFile('eapol_test', ['-c', conf, '-a', '127.0.0.1', '-p', String(PORT), '-s', SECRET, '-r', '0', '-t', '10', '-M', mac], { maxBuffer: 16 << 20 }, (_e, out, err) =>
      resolve({ ok: /^SUCCESS$/m.test(`${out}${err}`), ms: Date.now() - t0 }),
    ),
  );
}

const sockets = [];
for (let i = 0; i < 32; i++) {
  const s = dgram.createSocket('udp4');
  s.on('message', () => undefined);
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  sockets.push(s);
}
let sent = { abandoned: 0, garbage: 0 };
const secret = Buffer.from(SECRET);
const identity = Buffer.from('0201001a01616e6f6e796d6f7573406a616973742e61632e6a70', 'hex'); // "anonymous@jaist.ac.jp"
function abandon(i) {
  const mac = randomBytes(6).toString('hex').replace(/(..)(?!$)/g, '$1-');
  const pkt = encodeAccessRequest({
    identifier: i & 255,
    authenticator: randomBytes(16),
    attributes: [{ type: Attr.UserName, value: Buffer.from('anonymous@jaist.ac.jp') }, { type: Attr.CallingStationId, value: Buffer.from(mac) }, ...splitEapMessage(identity)],
    secret,
    messageAuthenticator: true,
  });
  sockets[i % sockets.length].send(pkt, PORT, '127.0.0.1');
  sent.abandoned++;
}
function garbage() {
  const b = randomBytes(Math.floor(Math.random() * 1200));
  if (b.length >= 4 && Math.random() < 0.5) {
    b[0] = 1; // an Access-Request header with a plausible Length: reaches the attribute parser
    b.writeUInt16BE(Math.min(b.length, 4096), 2);
  }
  sockets[Math.floor(Math.random() * sockets.length)].send(b, PORT, '127.0.0.1');
  sent.garbage++;
}

// Warm-up: logins (TLS, JIT, workers), a small wave, then the baseline.
const warm = [];
for (let i = 0; i < 3; i++) warm.push(await login());
for (let i = 0; i < 500; i++) abandon(i);
await sleep(3000);
const baseline = rssKiB();
log(`gateway pid ${child.pid}, baseline RSS ${(baseline / 1024).toFixed(1)} MiB`);

let peak = baseline;
let peakSessions = 0;
let stop = false;
const sampler = (async () => {
  while (!stop) {
    peak = Math.max(peak, rssKiB());
    peakSessions = Math.max(peakSessions, await metric('certgate_eap_sessions_active'));
    await sleep(500);
  }
})();
const garbageLoop = (async () => {
  const per = Number(o.garbage) / 20;
  while (!stop) {
    for (let i = 0; i < per; i++) garbage();
    await sleep(50);
  }
})();
const during = [];
const loginLoop = (async () => {
  while (!stop) {
    during.push(await login());
    await sleep(1000);
  }
})();

const waves = [];
for (let w = 0; w < Number(o.waves); w++) {
  const t0 = Date.now();
  const n = Number(o.abandoned);
  const per = Number(o.rate) / 100;
  for (let i = 0; i < n; ) {
    const tick = Date.now() + 10;
    for (let k = 0; k < per && i < n; k++, i++) abandon(i);
    await sleep(Math.max(0, tick - Date.now()));
  }
  const sentIn = (Date.now() - t0) / 1000;
  await sleep(1000);
  const sessions = await metric('certgate_eap_sessions_active');
  const rssAfterWave = rssKiB();
  await sleep(Number(o.hold) * 1000);
  waves.push({ wave: w + 1, sentSeconds: sentIn, sessionsAfterSend: sessions, rssMiBAfterSend: +(rssAfterWave / 1024).toFixed(1), rssMiBAfterHold: +(rssKiB() / 1024).toFixed(1) });
  log(`wave ${w + 1}: ${n} abandoned in ${sentIn.toFixed(1)} s, ${sessions} sessions, RSS ${(rssAfterWave / 1024).toFixed(1)} MiB; after hold ${(rssKiB() / 1024).toFixed(1)} MiB`);
}
stop = true;
await Promise.all([sampler, garbageLoop, loginLoop]);
const after = [];
for (let i = 0; i < 3; i++) after.push(await login());
const final = rssKiB();
const health = (await fetch(`http://127.0.0.1:${HTTP}/healthz`)).status;
const drops = (await (await fetch(`http://127.0.0.1:${HTTP}/metrics`)).text()).split('\n').filter((l) => l.startsWith('certgate_radius_dropped_total') || l.startsWith('certgate_eap_sessions_evicted_total'));
child.kill('SIGTERM');
for (const s of sockets) s.close();

const growthMiB = (peak - baseline) / 1024;
const result = {
  date: new Date().toISOString(),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
  node: process.version,
  settings: { abandonedPerWave: Number(o.abandoned), waves: Number(o.waves), ratePerSecond: Number(o.rate), garbagePerSecond: Number(o.garbage), holdSeconds: Number(o.hold) },
  sent,
  peakSessions,
  rssMiB: { baseline: +(baseline / 1024).toFixed(1), peak: +(peak / 1024).toFixed(1), final: +(final / 1024).toFixed(1), growth: +growthMiB.toFixed(1) },
  waves,
  logins: {
    warmUp: `${warm.filter((l) => l.ok).length}/${warm.length}`,
    during: `${during.filter((l) => l.ok).length}/${during.length}`,
    duringMaxMs: Math.max(...during.map((l) => l.ms)),
    after: `${after.filter((l) => l.ok).length}/${after.length}`,
  },
  healthz: health,
  counters: drops,
};
const ok = [...warm, ...during, ...after].every((l) => l.ok) && during.length > 0 && growthMiB <= Number(o['limit-mib']) && health === 200;
console.log(o.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
process.exit(ok ? 0 : 1);

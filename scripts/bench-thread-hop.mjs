// bench-thread-hop.mjs — CPU cost of one main-thread <-> worker round trip, as a TLS feed makes it:
// an object with a transferred 300-byte array out, one with a transferred array back, one at a
// time (both threads sleep between messages, as at ordinary load). Then the same through a
// SharedArrayBuffer (Atomics.wait in the worker, Atomics.waitAsync on the main thread), the
// cheapest hand-off there is. Figures in docs/BENCHMARKS.md.
//   node scripts/bench-thread-hop.mjs [N]
import { Worker } from 'node:worker_threads';

const N = Number(process.argv[2] ?? 20000);
const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
   parentPort.on('message', (m) => {
     const out = new Uint8Array(m.records.byteLength);
     parentPort.postMessage({ op: 'step', seq: m.seq, output: out }, [out.buffer]);
   });`,
  { eval: true },
);
let done = 0;
const send = () => {
  const records = new Uint8Array(300);
  worker.postMessage({ op: 'feed', id: 1, seq: done, records }, [records.buffer]);
};
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((resolve) => {
  worker.on('message', () => (++done === N ? resolve() : send()));
  send();
});
const cpu = process.cpuUsage(cpu0);
const per = (us) => (us / N).toFixed(1);
console.log(`${N} round trips on Node ${process.version}: CPU ${per(cpu.user + cpu.system)} µs each (user ${per(cpu.user)}, system ${per(cpu.system)}), wall ${(((performance.now() - t0) * 1000) / N).toFixed(1)} µs`);
await worker.terminate();

// The SharedArrayBuffer hand-off: [0] request number, [1] answered number.
const sab = new SharedArrayBuffer(4096);
const ctl = new Int32Array(sab, 0, 2);
const atomicsWorker = new Worker(
  `const { workerData } = require('node:worker_threads');
   const ctl = new Int32Array(workerData, 0, 2);
   const data = new Uint8Array(workerData, 64);
   for (let seen = 0; ; ) {
     Atomics.wait(ctl, 0, seen);
     seen = Atomics.load(ctl, 0);
     if (seen < 0) break;
     data[0] ^= 1;
     Atomics.store(ctl, 1, seen);
     Atomics.notify(ctl, 1);
   }`,
  { eval: true, workerData: sab },
);
const acpu0 = process.cpuUsage();
const at0 = performance.now();
for (let i = 1; i <= N; i++) {
  Atomics.store(ctl, 0, i);
  Atomics.notify(ctl, 0);
  const r = Atomics.waitAsync(ctl, 1, i - 1);
  if (r.async) await r.value;
}
const acpu = process.cpuUsage(acpu0);
console.log(`${N} SharedArrayBuffer round trips: CPU ${per(acpu.user + acpu.system)} µs each (user ${per(acpu.user)}, system ${per(acpu.system)}), wall ${(((performance.now() - at0) * 1000) / N).toFixed(1)} µs`);
Atomics.store(ctl, 0, -1);
Atomics.notify(ctl, 0);
await atomicsWorker.terminate();

// bench-thread-hop.mjs — CPU cost of one main-thread <-> worker round trip, as a TLS feed makes it:
// an object with a transferred 300-byte array out, one with a transferred array back, one at a
// time (both threads sleep between messages, as at ordinary load). Figures in docs/BENCHMARKS.md.
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

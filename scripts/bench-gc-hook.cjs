// Preloaded by `npm run bench` into each certgate it measures (node --expose-gc --require this):
// on SIGUSR2 it runs a full garbage collection and writes process.memoryUsage() to the file named
// by CERTGATE_BENCH_MEMFILE, so memory held per pending conversation is read after GC, not with
// whatever garbage happens to be uncollected. Does nothing else and costs nothing until signalled.
'use strict';
const fs = require('node:fs');

const file = process.env.CERTGATE_BENCH_MEMFILE;
if (file && typeof globalThis.gc === 'function') {
  process.on('SIGUSR2', () => {
    globalThis.gc();
    globalThis.gc();
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ ...process.memoryUsage(), at: Date.now() }));
    fs.renameSync(`${file}.tmp`, file);
  });
}

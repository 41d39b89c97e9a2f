// Summaries of V8 CPU profiles (`node --cpu-prof`): self time per function and per origin
// (certgate, dependencies, Node internals, GC, native), as percentages of the busy (non-idle) time.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  top: { fn: string; where: string; selfMs: number; pct: number }[];
  byOrigin: { origin: string; selfMs: number; pct: number }[];
}

function origin(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return 'native (program: OpenSSL, libuv, V8 outside JS)';
  if (url === '') return 'native called from JS (crypto, TLS wrap, Buffer)';
  if (url.startsWith('node:')) return 'Node internals (node:*)';
  if (url.includes('/node_modules/')) return `dependency: ${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? '?'}`;
  if (url.includes('/dist/')) return 'certgate (dist/)';
  return 'other';
}

function where(url: string, line: number): string {
  if (url === '') return 'native';
  const short = url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');
  return `${short}:${line + 1}`;
}

export function summariseProfile(file: string, topN = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  const origins = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    const fn = functionName || '(anonymous)';
    const w = where(url, lineNumber);
    const key = `${fn}@${w}`;
    const e = fns.get(key) ?? { fn, where: w, us: 0 };
    e.us += us;
    fns.set(key, e);
    const o = origin(url, functionName);
    origins.set(o, (origins.get(o) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((1000 * us) / Math.max(1, busy)) / 10;
  return {
    file,
    busyMs: Math.round(busy / 1000),
    top: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({ fn: e.fn, where: e.where, selfMs: Math.round(e.us / 1000), pct: pct(e.us) })),
    byOrigin: [...origins.entries()].sort((a, b) => b[1] - a[1]).map(([o, us]) => ({ origin: o, selfMs: Math.round(us / 1000), pct: pct(us) })),
  };
}

/** Every .cpuprofile in a directory (one per thread with --cpu-prof), busiest first. */
export function summariseDir(dir: string, topN = 15): ProfileSummary[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => summariseProfile(join(dir, f), topN))
    .sort((a, b) => b.busyMs - a.busyMs);
}

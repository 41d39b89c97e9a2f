// What the benchmark harness reads from Linux's /proc about the servers it measures: CPU time of a
// whole process tree (threads are inside each process's figures, exited children in c*time), the
// resident memory, and whether a UDP port is bound yet.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync, readdirSync } from 'node:fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid = field 4, utime..cstime = fields 14..17.
  const n = (i: number) => Number(f[i - 3]);
  return { pid, ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17) };
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(s.pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** User + system CPU of the process tree under `root` (all threads, reaped children), in ms. */
export function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) ticks += readStat(pid)?.ticks ?? 0;
  return (ticks * 1000) / clockTicks();
}

/** A field of /proc/PID/status in kB (VmRSS, VmHWM…), summed over the tree; 0 when unreadable. */
export function treeStatusKb(root: number, field = 'VmRSS'): number {
  let kb = 0;
  for (const pid of processTree(root)) {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // the process went away
    }
  }
  return kb;
}

/** True when some socket is bound to this local UDP port on 127.0.0.1 or 0.0.0.0. */
export function udpPortBound(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  try {
    return readFileSync('/proc/net/udp', 'utf8')
      .split('\n')
      .some((l) => / (0100007F|00000000):([0-9A-F]{4}) /.exec(l)?.[2] === hex);
  } catch {
    return false;
  }
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Busy CPU time of the whole machine (all cores, all processes) in ms, from /proc/stat. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal …
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  return (busy * 1000) / clockTicks();
}

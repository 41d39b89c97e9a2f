/**
 * The V8 flag `serve` sets at start so that the old generation is not marked about once a second.
 *
 * From V8 12 (Node 22 and 24), after a mark-compact V8 sets the old generation's allocation limit
 * to about the live heap plus the young generation's size (factor 1.1 on certgate's ~21 MB),
 * and it starts incremental marking as soon as the space left under that limit is no larger than
 * the young generation. With `--max-semi-space-size=16` that is true right after each cycle, so
 * under login load a new marking starts every 1-1.5 s: 5-11 ms of pause plus up to 12 ms of
 * marking steps on the main thread, which delays every login in flight. A fixed growing factor of
 * 3 leaves twice the live heap as room, and the marking waits for the old generation to grow.
 * Measured in docs/BENCHMARKS.md ("Issue 5: sixth session"): at 263 logins/s, 8-11 mark-compacts
 * per 10 s become 1-2, and p99 falls from 32-47 to 16-23 ms (Node 24).
 * V8 11 (Node 20) starts marking only when the limit is near, and the fixed factor measured worse
 * there (more mark-compacts and CPU), so it keeps V8's own.
 * The factor is read at each mark-compact, so setting it at run time works (unlike the semi-space size).
 */
export function heapGrowthFlag(v8Version: string): string | undefined {
  const major = Number.parseInt(v8Version, 10);
  return major >= 12 ? '--heap-growing-percent=200' : undefined;
}

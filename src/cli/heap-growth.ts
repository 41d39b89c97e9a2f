/**
 * The V8 flag `serve` sets at start so that the old generation is not marked about once a second.
 *
 * From V8 12 (Node 22 and 24), after a mark-compact V8 leaves the old generation little room under
 * its next limit (growing factor 1.1; 44 MB for certgate's 21 MB live, the room in step with the
 * young generation's size), and it starts incremental marking as soon as that room is no larger
 * than the young generation. With `--max-semi-space-size=16` that is true right after each cycle, so
 * under login load a new marking starts every 1-1.5 s: 5-11 ms of pause plus up to 12 ms of
 * marking steps on the main thread, which delays every login in flight. A fixed growing factor of
 * 3 leaves twice the live heap as room, and the marking waits for the old generation to grow.
 * Measured in docs/BENCHMARKS.md ("Issue 5: sixth session"): at 263 logins/s, 8-11 mark-compacts
 * per 10 s become 1-2, and p99 falls from 32-47 to 16-23 ms (Node 24).
 * V8 11 (Node 20) ran 0-2 mark-compacts per 10 s without the flag and more with it, at more CPU
 * per login, so it keeps V8's own factor.
 * The factor is read at each mark-compact, so setting it at run time works (unlike the semi-space size).
 */
export function heapGrowthFlag(v8Version: string): string | undefined {
  const major = Number.parseInt(v8Version, 10);
  return major >= 12 ? '--heap-growing-percent=200' : undefined;
}

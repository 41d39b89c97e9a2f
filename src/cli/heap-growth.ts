/**
 * The V8 flag `serve` sets at start, so that the old generation is not marked about once a second.
 *
 * After a mark-compact V8 leaves the old generation little room under its next limit (growing
 * factor 1.1; 44 MB for certgate's 21 MB live on Node 24, the room in step with the young
 * generation's size). V8 12+ starts incremental marking as soon as that room is no larger than
 * the young generation. With `--max-semi-space-size=16` that is true right after each cycle, so
 * under login load a new marking starts every 1-1.5 s: 5-11 ms of pause plus up to 12 ms of
 * marking steps on the main thread, which delays every login in flight. Node 20 falls into the
 * same rhythm (3-8 mark-compacts per 10 s at 263 logins/s). A fixed growing factor of 3 leaves
 * twice the live heap as room, and the marking waits for the old generation to grow.
 * Measured in docs/BENCHMARKS.md ("Issue 5: sixth session"), at 228-263 logins/s: 3-12
 * mark-compacts per 10 s become 0-2, with a p99 as low or lower and up to 13 % less CPU per login,
 * on Node 20, 22 and 24.
 * V8 reads the factor at each mark-compact, so setting it at run time works (unlike the
 * semi-space size, which only a launch flag sets).
 */
export const HEAP_GROWTH_FLAG = '--heap-growing-percent=200';

/**
 * The flag to set, unless the start line already gives one: an operator's own value wins, and
 * `--heap-growing-percent=0` there restores V8's own factor. V8 takes `_` for `-` in flag names.
 */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  const name = HEAP_GROWTH_FLAG.slice(0, HEAP_GROWTH_FLAG.indexOf('='));
  const given = execArgv.some((a) => a.replaceAll('_', '-').split('=')[0] === name);
  return given ? undefined : HEAP_GROWTH_FLAG;
}

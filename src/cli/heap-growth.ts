/**
 * The V8 flag `serve` sets at start, so that the old generation is not marked every second or two.
 *
 * After a mark-compact, V8 computes a growing factor of 1.1 here, and the room it leaves above the
 * live heap followed the young generation's size: 23 MB with a 32 MB new space (limit 44 MB for
 * certgate's 21 MB live on Node 24), 15-16 MB with 16 MB. V8 12+ starts incremental marking as
 * soon as that room is no larger than the young generation. With `--max-semi-space-size=16` that
 * is true right after each cycle, so under login load a new marking starts every 1-1.5 s: 5-11 ms
 * of pause plus up to 12 ms of marking steps on the main thread, which delays every login in
 * flight. Node 20 fell into a slower rhythm (3-8 mark-compacts per 10 s at 228-263 logins/s). A
 * fixed growing factor of 3 puts the limit at three times the live heap, and marking waits for the
 * old generation to grow. The cost is memory: RSS +30 MB on Node 24 after 4,000 logins, +125 MB
 * on Node 20 after 20,000.
 * Measured in docs/BENCHMARKS.md ("Issue 5: sixth session"), at 228-263 logins/s on Node 20, 22
 * and 24: 3-12 mark-compacts per 10 s become 0-2, with a lower or equal (within noise) p99, and
 * up to 13 % less CPU per login in most rounds (one Node 22 round: 15 % more).
 * V8 reads the factor at each mark-compact, so setting it at run time works (unlike the
 * semi-space size, which only a launch flag sets).
 */
export const HEAP_GROWTH_FLAG = '--heap-growing-percent=200';

/**
 * The flag to set, unless the start line already gives one: an operator's own value wins, and
 * `--heap-growing-percent=0` there restores V8's own factor. V8 takes `_` for `-` in flag names
 * and one leading dash for two.
 */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  const name = HEAP_GROWTH_FLAG.slice(0, HEAP_GROWTH_FLAG.indexOf('='));
  const given = execArgv.some((a) => a.replace(/^-+/, '--').replaceAll('_', '-').split('=')[0] === name);
  return given ? undefined : HEAP_GROWTH_FLAG;
}

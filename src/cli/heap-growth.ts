/**
 * The V8 flag `serve` sets at start: a fixed heap growing factor of 3.
 *
 * With V8's own factor (1.1 here) the old generation's next limit leaves no more room than the
 * young generation holds, and V8 12+ starts marking as soon as that is so: under login load a
 * mark-compact every 1-3 s, each holding up the logins in flight (5-11 ms pause plus up to 12 ms of
 * marking steps). A limit of three times the live heap ends that for the cost of some memory.
 * Measured on Node 20, 22 and 24 in docs/BENCHMARKS.md ("Issue 5: sixth session"). V8 reads the
 * factor at each mark-compact, so setting it at run time works.
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

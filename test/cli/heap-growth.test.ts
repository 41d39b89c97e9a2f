import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWTH_FLAG, heapGrowthFlag } from '../../src/cli/heap-growth.js';

describe('heapGrowthFlag', () => {
  it('is a flag this V8 knows', () => {
    // setFlagsFromString ignores a name V8 does not know, so check it against V8's own list.
    const name = HEAP_GROWTH_FLAG.split('=')[0]!;
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(options).toContain(`${name} `);
  });

  it('is set unless the start line gives its own value', () => {
    expect(heapGrowthFlag(['--openssl-config=config/openssl.cnf', '--max-semi-space-size=16'])).toBe(HEAP_GROWTH_FLAG);
    expect(heapGrowthFlag(['--heap-growing-percent=0'])).toBeUndefined();
    expect(heapGrowthFlag(['--heap_growing_percent=50'])).toBeUndefined();
    expect(heapGrowthFlag(['-heap-growing-percent=50'])).toBeUndefined();
    // A flag whose name only starts the same is another flag.
    expect(heapGrowthFlag(['--heap-growing-percentage=5'])).toBe(HEAP_GROWTH_FLAG);
  });
});

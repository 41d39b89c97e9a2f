import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { heapGrowthFlag } from '../../src/cli/heap-growth.js';

describe('heapGrowthFlag', () => {
  it('fixes the growing factor from V8 12 (Node 22, 24) on', () => {
    expect(heapGrowthFlag('13.6.233.17-node.37')).toBe('--heap-growing-percent=200');
    expect(heapGrowthFlag('12.4.254.21-node.57')).toBe('--heap-growing-percent=200');
  });

  it("keeps V8 11's own (Node 20), where the fixed factor measured worse", () => {
    expect(heapGrowthFlag('11.3.244.8-node.33')).toBeUndefined();
  });

  it('is a flag this V8 knows', () => {
    // setFlagsFromString ignores a name V8 does not know, so check it against V8's own list.
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(options).toContain('--heap-growing-percent ');
  });
});

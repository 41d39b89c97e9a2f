import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWTH_FLAG } from '../../src/cli/heap-growth.js';

describe('HEAP_GROWTH_FLAG', () => {
  it('is a flag this V8 knows', () => {
    // setFlagsFromString ignores a name V8 does not know, so check it against V8's own list.
    const name = HEAP_GROWTH_FLAG.split('=')[0]!;
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(options).toContain(`${name} `);
  });
});

// Memory per pending conversation ≤ 5 KB (issue 6): runs the benchmark (built code, --expose-gc)
// with a smaller count. The figures for 20,000 are in docs/BENCHMARKS.md ("Hardening").
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/gateway-process.js';

describe('memory per pending conversation', () => {
  it('is at most 5 KB, alone and with its duplicate-cache entry', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join(ROOT, 'scripts/bench-conversation-memory.mjs'), '--count', '10000', '--json']);
    const r = JSON.parse(stdout) as { conversation: { bytesPerConversation: number }; withDuplicateEntry: { bytesPerConversation: number } };
    expect(r.conversation.bytesPerConversation).toBeLessThanOrEqual(5120);
    expect(r.withDuplicateEntry.bytesPerConversation).toBeLessThanOrEqual(5120);
  }, 60_000);
});

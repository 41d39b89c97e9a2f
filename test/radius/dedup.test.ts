// RFC 5080 2.2.2 duplicate detection, with time passed in.
import { describe, expect, it } from 'vitest';
import { DuplicateCache } from '../../src/radius/dedup.js';

const auth = (n: number) => Buffer.alloc(16, n);

describe('DuplicateCache', () => {
  it('replays the cached reply byte for byte, and drops a copy still being worked on', () => {
    const c = new DuplicateCache({ ttlMs: 10_000, max: 10 });
    expect(c.check('k', auth(1), 0)).toEqual({ kind: 'new' });
    expect(c.check('k', auth(1), 100)).toEqual({ kind: 'in_progress' });
    const reply = Buffer.from('0b01001400112233445566778899aabbccddeeff', 'hex');
    c.complete('k', auth(1), reply);
    const v = c.check('k', auth(1), 200);
    expect(v.kind).toBe('replay');
    expect(v.kind === 'replay' && v.reply.equals(reply)).toBe(true);
  });

  it('treats a new authenticator under the same key as a new request (purges the entry)', () => {
    const c = new DuplicateCache({ ttlMs: 10_000, max: 10 });
    c.check('k', auth(1), 0);
    c.complete('k', auth(1), Buffer.from('aa', 'hex'));
    expect(c.check('k', auth(2), 10)).toEqual({ kind: 'new' });
    expect(c.check('k', auth(2), 20)).toEqual({ kind: 'in_progress' });
    // The late answer to the old request must not land on the new one.
    c.complete('k', auth(1), Buffer.from('bb', 'hex'));
    expect(c.check('k', auth(2), 30)).toEqual({ kind: 'in_progress' });
  });

  it('forgets a dropped request so the NAS retransmit is processed anew', () => {
    const c = new DuplicateCache({ ttlMs: 10_000, max: 10 });
    c.check('k', auth(1), 0);
    c.complete('k', auth(1), undefined);
    expect(c.check('k', auth(1), 10)).toEqual({ kind: 'new' });
  });

  it('keeps replies only for the configured lifetime', () => {
    const c = new DuplicateCache({ ttlMs: 5_000, max: 10 });
    c.check('k', auth(1), 0);
    c.complete('k', auth(1), Buffer.from('aa', 'hex'));
    expect(c.check('k', auth(1), 4_999).kind).toBe('replay');
    expect(c.check('k', auth(1), 5_000)).toEqual({ kind: 'new' });
    c.check('j', auth(1), 6_000);
    // 'k' was renewed at 5 000, 'j' created at 6 000.
    c.sweep(9_999);
    expect(c.size).toBe(2);
    c.sweep(10_000);
    expect(c.size).toBe(1);
    c.sweep(11_000);
    expect(c.size).toBe(0);
  });

  it('is bounded: the oldest entry goes first', () => {
    const c = new DuplicateCache({ ttlMs: 30_000, max: 100 });
    for (let i = 0; i < 1000; i++) c.check(`k${i}`, auth(1), i);
    expect(c.size).toBe(100);
    expect(c.evictions).toBe(900);
    expect(c.check('k999', auth(1), 1000)).toEqual({ kind: 'in_progress' });
    expect(c.check('k0', auth(1), 1000)).toEqual({ kind: 'new' });
  });
});

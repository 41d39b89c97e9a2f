// Failed-login pacing, with time passed in.
import { describe, expect, it } from 'vitest';
import type { PacingConfig } from '../../src/config/load.js';
import { FailurePacer } from '../../src/limits/pacing.js';

const cfg: PacingConfig = { enabled: true, freeRejects: 2, rejectDelayMs: 100, maxRejectDelayMs: 350, refuseAfter: 6, refuseSeconds: 60, windowSeconds: 120, maxStations: 1000, maxDelayed: 2 };

describe('FailurePacer', () => {
  it('delays rejects after the free ones, growing to the cap, then refuses new logins for a while', () => {
    const p = new FailurePacer(cfg);
    const delays = [1, 2, 3, 4, 5].map((i) => p.rejected('aa', i * 1000));
    expect(delays).toEqual([0, 0, 100, 200, 350]);
    expect(p.admit('aa', false, 5500)).toBeUndefined();
    expect(p.rejected('aa', 6000)).toBe(350); // the 6th: refusal starts
    const d = p.admit('aa', false, 7000);
    expect(d).toMatchObject({ result: 'reject', reason: 'paced' });
    expect(d?.detail).toContain('59 s');
    // A login already in progress (it has a State) is not cut off; other stations are untouched.
    expect(p.admit('aa', true, 7000)).toBeUndefined();
    expect(p.admit('bb', false, 7000)).toBeUndefined();
    expect(p.admit(undefined, false, 7000)).toBeUndefined();
    expect(p.counts.refusals).toBe(1);
    expect(p.active(7000)).toBe(1);
    // The refusal ends after refuseSeconds.
    expect(p.admit('aa', false, 66_000)).toBeUndefined();
  });

  it('a persistent failure after the refusal is refused again at once; an accept clears the record', () => {
    const p = new FailurePacer(cfg);
    for (let i = 0; i < 6; i++) p.rejected('aa', i);
    expect(p.admit('aa', false, 61_000)).toBeUndefined();
    p.rejected('aa', 61_000);
    expect(p.admit('aa', false, 61_001)?.reason).toBe('paced');
    p.accepted('aa');
    expect(p.admit('aa', false, 61_002)).toBeUndefined();
    expect(p.rejected('aa', 61_003)).toBe(0);
  });

  it('forgets rejects older than the window', () => {
    const p = new FailurePacer(cfg);
    for (let i = 0; i < 4; i++) p.rejected('aa', i);
    expect(p.rejected('aa', 200_000)).toBe(0);
    expect(p.sweep(400_000)).toBe(1);
    expect(p.size).toBe(0);
  });

  it('is bounded: the station with the stalest reject is dropped first', () => {
    const p = new FailurePacer({ ...cfg, maxStations: 100 });
    for (let i = 0; i < 1000; i++) p.rejected(`s${i}`, i);
    expect(p.size).toBe(100);
    expect(p.counts.evicted).toBe(900);
  });

  it('does nothing when disabled', () => {
    const p = new FailurePacer({ ...cfg, enabled: false });
    for (let i = 0; i < 20; i++) expect(p.rejected('aa', i)).toBe(0);
    expect(p.admit('aa', false, 30)).toBeUndefined();
    expect(p.size).toBe(0);
  });

  it('holds back at most maxDelayed replies at once; the rest go out at once and are counted', async () => {
    const seen: string[] = [];
    const p = new FailurePacer(cfg, { refused: () => undefined, delayed: (how) => seen.push(how) });
    const t0 = performance.now();
    await Promise.all([p.hold(80), p.hold(80), p.hold(80), p.hold(0)]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    expect(seen.sort()).toEqual(['held', 'held', 'overflow']);
    expect(p.holding).toBe(0);
  });
});

// Reconnect delays: doubling from `baseMs` up to `maxMs`, with ±20% jitter so that several gateways
// cut off at the same moment do not come back in lock-step. Pure: randomness is passed in.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 5_000 };

/** attempt counts from 0 (the first retry). random() answers in [0, 1). */
export function backoffMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  const jitter = 0.8 + 0.4 * random();
  return Math.max(1, Math.round(Math.min(policy.maxMs, raw * jitter)));
}

// The snapshot's asynchronous refresh against a scripted source: a burst of change notifications
// costs at most one extra pull, a failed pull is retried at the next refresh (nothing is skipped),
// and a store that went back in time (restored backup) is reloaded from scratch.
import { describe, expect, it } from 'vitest';
import { StoreSnapshot, startSnapshotRefresher, type SnapshotSource } from '../../src/store/snapshot.js';
import type { ChangeSet } from '../../src/store/store.js';
import type { CertRecord } from '../../src/store/types.js';

const T = new Date('2026-11-01T00:00:00Z');
const rec = (serial: string, seq: number, status: CertRecord['status'] = 'valid'): CertRecord => ({
  issuer: 'CN=CA', serial, fingerprint: serial, member: `${serial.toLowerCase()}@jaist.ac.jp`, subject: 'CN=x',
  notBefore: T, notAfter: T, status, revocationReason: null, revokedAt: null, supersededBy: null, addedAt: T, seq,
});

class Scripted implements SnapshotSource {
  rows: CertRecord[] = [];
  seq = 0;
  token = 0;
  pulls = 0;
  failNext = false;
  gate: Promise<void> | null = null;
  private listeners = new Set<() => void>();
  write(r: CertRecord): void {
    this.rows = [...this.rows.filter((x) => x.serial !== r.serial), r];
    this.seq = r.seq;
    this.token++;
  }
  changeToken(): string {
    return String(this.token);
  }
  async changesSince(seq: number): Promise<ChangeSet> {
    this.pulls++;
    if (this.gate) await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection lost');
    }
    return { rows: this.rows.filter((r) => r.seq > seq), seq: this.seq };
  }
  onChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  notify(): void {
    for (const l of this.listeners) l();
  }
}

describe('StoreSnapshot following an asynchronous store', () => {
  it('folds refreshes requested during a pull into one more pull', async () => {
    const src = new Scripted();
    const snap = new StoreSnapshot(src);
    let open!: () => void;
    src.gate = new Promise((r) => (open = r));
    src.write(rec('A1', 1));
    const first = snap.refresh();
    src.write(rec('B2', 2));
    const more = [snap.refresh(), snap.refresh(), snap.refresh()];
    src.gate = null;
    open();
    expect(await first).toBeGreaterThanOrEqual(1);
    await Promise.all(more);
    expect(src.pulls).toBe(2);
    expect(snap.size).toBe(2);
    expect(snap.seq).toBe(2);
  });

  it('retries a failed pull at the next refresh, missing nothing', async () => {
    const src = new Scripted();
    const snap = new StoreSnapshot(src, { now: () => T });
    await snap.refresh();
    src.write(rec('A1', 1));
    src.failNext = true;
    await expect(snap.refresh()).rejects.toThrow('connection lost');
    expect(snap.lookup('CN=CA', 'A1')).toBeUndefined();
    expect(await snap.refresh()).toBe(1);
    expect(snap.lookup('CN=CA', 'A1')?.status).toBe('valid');
    expect(snap.syncedAt).toEqual(T);
  });

  it('reloads from nothing when the store seq goes back (restored backup)', async () => {
    const src = new Scripted();
    const snap = new StoreSnapshot(src);
    src.write(rec('A1', 1));
    src.write(rec('B2', 2));
    await snap.refresh();
    src.rows = [rec('C1', 1)];
    src.seq = 1;
    src.token++;
    await snap.refresh();
    expect(snap.size).toBe(1);
    expect(snap.lookup('CN=CA', 'C1')).toBeDefined();
    expect(snap.counts()).toEqual({ valid: 1, superseded: 0, revoked: 0 });
  });

  it('refreshes at once on a change notification, without waiting for the poll', async () => {
    const src = new Scripted();
    const snap = new StoreSnapshot(src);
    await snap.refresh();
    const stop = startSnapshotRefresher(snap, 60_000, () => undefined);
    try {
      src.write(rec('A1', 1, 'revoked'));
      src.notify();
      await new Promise((r) => setTimeout(r, 20));
      expect(snap.lookup('CN=CA', 'A1')?.status).toBe('revoked');
    } finally {
      stop();
    }
  });
});

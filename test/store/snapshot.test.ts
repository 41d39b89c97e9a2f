import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteCertStore } from '../../src/store/sqlite-adapter.js';
import { StoreSnapshot, startSnapshotRefresher } from '../../src/store/snapshot.js';
import { certFacts } from '../../src/verify/cert-facts.js';
import { makeMiniPki, type Issued } from '../helpers/mini-pki.js';

const DAY = 86_400_000;
const NOW = new Date();
const daysAgo = (n: number): Date => new Date(Math.floor(NOW.getTime() / 1000) * 1000 - n * DAY);

let dir: string;
let old: Issued, renewal: Issued, bob: Issued;
let issuer: string;
let n = 0;
const open: SqliteCertStore[] = [];

function pair(): { gateway: SqliteCertStore; cli: SqliteCertStore } {
  const path = join(dir, `s${++n}.sqlite`);
  const gateway = SqliteCertStore.open(path);
  // A second connection to the same file stands in for `certgate store` in another process.
  const cli = SqliteCertStore.open(path);
  open.push(gateway, cli);
  return { gateway, cli };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'certgate-snap-'));
  const pki = makeMiniPki(join(dir, 'pki'));
  old = pki.issue({ serial: '0A', email: 'alice@jaist.ac.jp', notBefore: daysAgo(300), notAfter: daysAgo(-65) });
  renewal = pki.issue({ serial: '0B', email: 'alice@jaist.ac.jp', notBefore: daysAgo(3), notAfter: daysAgo(-362) });
  bob = pki.issue({ serial: '80', email: 'bob@jaist.ac.jp' });
  issuer = certFacts(old.der).issuer;
}, 30_000);
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('StoreSnapshot', () => {
  it('loads everything at the first refresh', async () => {
    const { gateway } = pair();
    await gateway.add(old.der, NOW);
    await gateway.add(renewal.der, NOW);
    const snap = new StoreSnapshot(gateway);
    expect(snap.size).toBe(0);
    expect(await snap.refresh()).toBe(2);
    expect(snap.size).toBe(2);
    expect(snap.lookup(issuer, '0A')?.status).toBe('superseded');
    expect(snap.current('alice@jaist.ac.jp')?.serial).toBe('0B');
    expect(snap.current('Alice@JAIST.ac.jp')?.serial).toBe('0B');
    expect(snap.counts()).toEqual({ valid: 1, superseded: 1, revoked: 0 });
    expect(snap.lookup(issuer, '99')).toBeUndefined();
  });

  it('sees a change committed through another connection after refresh()', async () => {
    const { gateway, cli } = pair();
    const snap = new StoreSnapshot(gateway);
    expect(await snap.refresh()).toBe(0);

    await cli.add(old.der, NOW);
    expect(snap.lookup(issuer, '0A')).toBeUndefined(); // not before refresh: the hot path never reads SQLite
    expect(await snap.refresh()).toBe(1);
    expect(snap.current('alice@jaist.ac.jp')?.serial).toBe('0A');

    await cli.add(renewal.der, NOW);
    expect(await snap.refresh()).toBe(2); // the new row and the one it superseded
    expect(snap.current('alice@jaist.ac.jp')?.serial).toBe('0B');
    expect(snap.lookup(issuer, '0A')).toMatchObject({ status: 'superseded', supersededBy: '0B' });

    await cli.revoke('0B', 'keyCompromise', NOW);
    expect(await snap.refresh()).toBe(1);
    expect(snap.lookup(issuer, '0B')?.status).toBe('revoked');
    expect(snap.current('alice@jaist.ac.jp')).toBeUndefined();
    expect(snap.counts()).toEqual({ valid: 0, superseded: 1, revoked: 1 });
    expect(await snap.refresh()).toBe(0);
  });

  it('sees writes made through its own connection', async () => {
    const { gateway } = pair();
    const snap = new StoreSnapshot(gateway);
    await gateway.add(bob.der, NOW);
    expect(await snap.refresh()).toBe(1);
    expect(snap.lookup(issuer, '80')?.member).toBe('bob@jaist.ac.jp');
    expect(snap.size).toBe(1);
  });

  it('catches up in one refresh after several writes, applying each row once', async () => {
    const { gateway, cli } = pair();
    const snap = new StoreSnapshot(gateway);
    await cli.add(renewal.der, NOW);
    await cli.add(old.der, NOW);
    await cli.add(bob.der, NOW);
    await cli.revoke('80', 'affiliationChanged', NOW);
    expect(await snap.refresh()).toBe(3);
    expect(snap.counts()).toEqual({ valid: 1, superseded: 1, revoked: 1 });
    expect(snap.current('alice@jaist.ac.jp')?.serial).toBe('0B');
    expect(snap.current('bob@jaist.ac.jp')).toBeUndefined();
  });

  it('is refreshed in the background by startSnapshotRefresher', async () => {
    const { gateway, cli } = pair();
    const snap = new StoreSnapshot(gateway);
    const errors: unknown[] = [];
    const stop = startSnapshotRefresher(snap, 10, (e) => errors.push(e));
    try {
      await cli.add(bob.der, NOW);
      const deadline = Date.now() + 2000;
      while (snap.lookup(issuer, '80') === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(snap.lookup(issuer, '80')?.status).toBe('valid');
    } finally {
      stop();
    }
    expect(errors).toEqual([]);
  });

  it('reports refresh failures to onError instead of throwing from the timer', async () => {
    const { gateway } = pair();
    const snap = new StoreSnapshot(gateway);
    const errors: unknown[] = [];
    open.splice(open.indexOf(gateway), 1);
    await gateway.close();
    const stop = startSnapshotRefresher(snap, 5, (e) => errors.push(e));
    await new Promise((r) => setTimeout(r, 50));
    stop();
    expect(errors.length).toBeGreaterThan(0);
  });
});

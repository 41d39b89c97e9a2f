import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteCertStore } from '../../src/store/sqlite-adapter.js';
import { reasonCode, parseReason, REVOCATION_REASONS } from '../../src/store/types.js';
import { makeMiniPki, type Issued, type MiniPki } from '../helpers/mini-pki.js';

const DAY = 86_400_000;
const NOW = new Date();
const daysAgo = (n: number): Date => new Date(Math.floor(NOW.getTime() / 1000) * 1000 - n * DAY);

let dir: string;
let pki: MiniPki;
let pki2: MiniPki;
// alice: old (A1), renewal (A2), middle (A3, between them); bob: two with the same notBefore.
let a1: Issued, a2: Issued, a3: Issued, b1: Issued, b2: Issued, expired: Issued, anon: Issued, dupSerial: Issued;
let otherIssuer: Issued;
let n = 0;
const stores: SqliteCertStore[] = [];

function freshStore(): SqliteCertStore {
  const s = SqliteCertStore.open(join(dir, 'db', `store${++n}.sqlite`));
  stores.push(s);
  return s;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'certgate-store-'));
  pki = makeMiniPki(join(dir, 'pki'));
  pki2 = makeMiniPki(join(dir, 'pki2'), 'Other University CA');
  a1 = pki.issue({ serial: '1000', email: 'alice@jaist.ac.jp', notBefore: daysAgo(400), notAfter: daysAgo(-30) });
  a2 = pki.issue({ serial: '1001', email: 'Alice@JAIST.ac.jp', notBefore: daysAgo(10), notAfter: daysAgo(-355) });
  a3 = pki.issue({ serial: '1002', subjectEmail: 'alice@jaist.ac.jp', notBefore: daysAgo(200), notAfter: daysAgo(-165) });
  b1 = pki.issue({ serial: '2000', email: 'bob@jaist.ac.jp', notBefore: daysAgo(5), notAfter: daysAgo(-360) });
  b2 = pki.issue({ serial: '2001', email: 'bob@jaist.ac.jp', notBefore: daysAgo(5), notAfter: daysAgo(-360) });
  expired = pki.issue({ serial: '3000', email: 'carol@jaist.ac.jp', notBefore: daysAgo(800), notAfter: daysAgo(435) });
  anon = pki.issue({ serial: '4000', cn: 'no mail' });
  // Same issuer and serial as a1, but a different certificate.
  dupSerial = pki.sign({ serial: '1000', email: 'mallory@jaist.ac.jp' });
  otherIssuer = pki2.issue({ serial: '1000', email: 'dave@other.ac.jp' });
}, 60_000);
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ISSUER = 'C=JP, O=National Institute of Informatics, CN=Mini UPKI CA';

describe('types', () => {
  it('maps reasons to RFC 5280 codes, skipping 7', async () => {
    expect(REVOCATION_REASONS.map(reasonCode)).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 10]);
    expect(parseReason('CACompromise')).toBe('cACompromise');
    expect(parseReason('keycompromise')).toBe('keyCompromise');
    expect(parseReason('keyTime')).toBe('keyCompromise');
    expect(parseReason('stolen')).toBeNull();
  });
});

describe('add', () => {
  it('adds, then reports exists for the same certificate without a write', async () => {
    const s = freshStore();
    const r = await s.add(a1.der, NOW);
    expect(r.outcome).toBe('added');
    if (r.outcome === 'refused') throw new Error('unreachable');
    expect(r.record).toMatchObject({ serial: '1000', member: 'alice@jaist.ac.jp', status: 'valid', supersededBy: null });
    expect(r.record.addedAt).toEqual(NOW);
    const seq = await s.currentSeq();
    expect((await s.add(a1.der, NOW)).outcome).toBe('exists');
    expect(await s.currentSeq()).toBe(seq);
  });

  it('refuses a different certificate reusing an issuer+serial', async () => {
    const s = freshStore();
    await s.add(a1.der, NOW);
    const r = await s.add(dupSerial.der, NOW);
    expect(r).toMatchObject({ outcome: 'refused', serial: '1000' });
    if (r.outcome === 'refused') expect(r.message).toMatch(/already stored for a different certificate/);
    expect(await s.list()).toHaveLength(1);
  });

  it('keeps the same serial from two issuers apart', async () => {
    const s = freshStore();
    expect((await s.add(a1.der, NOW)).outcome).toBe('added');
    expect((await s.add(otherIssuer.der, NOW)).outcome).toBe('added');
    expect(await s.list()).toHaveLength(2);
  });

  it('refuses a certificate without a member identity', async () => {
    const r = await freshStore().add(anon.der, NOW);
    expect(r).toMatchObject({ outcome: 'refused', serial: '4000' });
    if (r.outcome === 'refused') expect(r.message).toMatch(/no member identity/);
  });

  it('refuses input that is not a certificate', async () => {
    expect(await freshStore().add(Buffer.from('junk'), NOW)).toMatchObject({ outcome: 'refused', serial: null });
  });

  it('refuses an expired certificate unless allowExpired', async () => {
    const s = freshStore();
    const r = await s.add(expired.der, NOW);
    expect(r).toMatchObject({ outcome: 'refused', serial: '3000' });
    if (r.outcome === 'refused') expect(r.message).toMatch(/expired/);
    expect((await s.add(expired.der, NOW, { allowExpired: true })).outcome).toBe('added');
    // Judged against the time passed in, not the clock.
    expect((await freshStore().add(expired.der, daysAgo(500))).outcome).toBe('added');
  });
});

describe('one current certificate per member', () => {
  const summary = async (s: SqliteCertStore, member: string): Promise<string[]> =>
    (await s.byMember(member)).map((r) => `${r.serial}:${r.status}${r.supersededBy ? `>${r.supersededBy}` : ''}`);

  it('supersedes the older certificate when the renewal is added', async () => {
    const s = freshStore();
    await s.add(a1.der, NOW);
    const r = await s.add(a2.der, NOW);
    expect(r.outcome === 'added' && r.record.status).toBe('valid');
    expect(await summary(s, 'alice@jaist.ac.jp')).toEqual(['1001:valid', '1000:superseded>1001']);
  });

  it('records an older certificate added after the newer one as superseded at once', async () => {
    const s = freshStore();
    await s.add(a2.der, NOW);
    const r = await s.add(a1.der, NOW);
    expect(r.outcome === 'added' && r.record).toMatchObject({ status: 'superseded', supersededBy: '1001' });
    expect(await summary(s, 'alice@jaist.ac.jp')).toEqual(['1001:valid', '1000:superseded>1001']);
  });

  it('ends in the same state whatever the order (member from SAN or subject email alike)', async () => {
    const orders = [[a1, a3, a2], [a2, a3, a1], [a3, a1, a2], [a3, a2, a1]];
    for (const order of orders) {
      const s = freshStore();
      for (const c of order) await s.add(c.der, NOW);
      expect(await summary(s, 'ALICE@jaist.ac.jp')).toEqual(['1001:valid', '1002:superseded>1001', '1000:superseded>1001']);
      expect(await s.counts()).toEqual({ valid: 1, superseded: 2, revoked: 0 });
    }
  });

  it('breaks a notBefore tie in favour of the later-added certificate', async () => {
    const s1 = freshStore();
    await s1.add(b1.der, NOW);
    await s1.add(b2.der, NOW);
    expect(await summary(s1, 'bob@jaist.ac.jp')).toEqual(['2001:valid', '2000:superseded>2001']);
    const s2 = freshStore();
    await s2.add(b2.der, NOW);
    await s2.add(b1.der, NOW);
    expect(await summary(s2, 'bob@jaist.ac.jp')).toEqual(['2000:valid', '2001:superseded>2000']);
  });

  it('keeps a revoked certificate revoked when a newer one arrives', async () => {
    const s = freshStore();
    await s.add(a1.der, NOW);
    expect((await s.revoke('1000', 'keyCompromise', NOW)).outcome).toBe('revoked');
    await s.add(a2.der, NOW);
    expect(await summary(s, 'alice@jaist.ac.jp')).toEqual(['1001:valid', '1000:revoked']);
  });

  it('does not resurrect an older certificate when the current one is revoked', async () => {
    const s = freshStore();
    await s.add(a1.der, NOW);
    await s.add(a2.der, NOW);
    const r = await s.revoke('10:01', 'affiliationChanged', NOW);
    expect(r.outcome).toBe('revoked');
    expect(await summary(s, 'alice@jaist.ac.jp')).toEqual(['1001:revoked', '1000:superseded>1001']);
    // Nor does adding another older one afterwards.
    await s.add(a3.der, NOW);
    expect(await summary(s, 'alice@jaist.ac.jp')).toEqual(['1001:revoked', '1002:superseded>1001', '1000:superseded>1001']);
  });
});

describe('revoke', () => {
  it('revokes with reason and time, then reports already_revoked', async () => {
    const s = freshStore();
    await s.add(a1.der, NOW);
    const at = new Date('2026-01-02T03:04:05Z');
    const r = await s.revoke('0x1000', 'keyCompromise', at);
    expect(r.outcome === 'revoked' && r.record).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise', revokedAt: at });
    const again = await s.revoke('1000', 'superseded', NOW);
    expect(again.outcome === 'already_revoked' && again.record.revocationReason).toBe('keyCompromise');
  });

  it('answers not_found for unknown or malformed serials', async () => {
    const s = freshStore();
    await s.add(a1.der, NOW);
    expect(await s.revoke('99', 'unspecified', NOW)).toEqual({ outcome: 'not_found' });
    expect(await s.revoke('zz', 'unspecified', NOW)).toEqual({ outcome: 'not_found' });
    expect(await s.revoke('1000', 'unspecified', NOW, 'CN=someone else')).toEqual({ outcome: 'not_found' });
  });

  it('is ambiguous when two issuers used the serial, until the issuer is given', async () => {
    const s = freshStore();
    await s.add(a1.der, NOW);
    await s.add(otherIssuer.der, NOW);
    const r = await s.revoke('1000', 'unspecified', NOW);
    expect(r.outcome === 'ambiguous' && r.records.map((x) => x.member).sort()).toEqual(['alice@jaist.ac.jp', 'dave@other.ac.jp']);
    const issuer = (await s.byMember('dave@other.ac.jp'))[0]!.issuer;
    const ok = await s.revoke('1000', 'unspecified', NOW, issuer);
    expect(ok.outcome === 'revoked' && ok.record.member).toBe('dave@other.ac.jp');
    expect((await s.byMember('alice@jaist.ac.jp'))[0]!.status).toBe('valid');
  });
});

describe('change tracking', () => {
  it('bumps seq once per write and returns only later rows', async () => {
    const s = freshStore();
    expect(await s.currentSeq()).toBe(0);
    await s.add(a1.der, NOW);
    expect(await s.currentSeq()).toBe(1);
    await s.add(a2.der, NOW); // inserts a2 and supersedes a1 in one write
    expect(await s.currentSeq()).toBe(2);
    const c = await s.changesSince(1);
    expect(c.seq).toBe(2);
    expect(c.rows.map((r) => `${r.serial}@${r.seq}`).sort()).toEqual(['1000@2', '1001@2']);
    expect((await s.changesSince(2)).rows).toEqual([]);
    expect(s.engine.localWriteCount()).toBe(2);
  });

  it('sees data_version move when another connection commits', async () => {
    const path = join(dir, 'db', 'dv.sqlite');
    const a = SqliteCertStore.open(path);
    const b = SqliteCertStore.open(path);
    stores.push(a, b);
    const before = a.engine.dataVersion();
    expect(a.engine.dataVersion()).toBe(before);
    await b.add(a1.der, NOW);
    expect(a.engine.dataVersion()).not.toBe(before);
    expect((await a.get(ISSUER, '1000'))?.member).toBe('alice@jaist.ac.jp');
  });
});

describe('open', () => {
  it('creates parent folders and keeps data across reopen', async () => {
    const path = join(dir, 'deep', 'er', 'store.sqlite');
    const s = SqliteCertStore.open(path);
    await s.add(a1.der, NOW);
    await s.close();
    const again = SqliteCertStore.open(path);
    stores.push(again);
    expect((await again.list()).map((r) => r.serial)).toEqual(['1000']);
    expect(await again.currentSeq()).toBe(1);
  });

  it('does not write when opening an up-to-date store (a running gateway sees no change)', async () => {
    const path = join(dir, 'db', 'quiet.sqlite');
    const a = SqliteCertStore.open(path);
    stores.push(a);
    const dv = a.engine.dataVersion();
    stores.push(SqliteCertStore.open(path));
    expect(a.engine.dataVersion()).toBe(dv);
  });

  it('names the path when the file is not a database', async () => {
    const path = join(dir, 'broken.sqlite');
    writeFileSync(path, 'this is certainly not an SQLite database, just some text that is long enough\n'.repeat(20));
    expect(() => SqliteCertStore.open(path)).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*not a database`));
  });

  it('refuses a schema newer than it knows', async () => {
    const path = join(dir, 'newer.sqlite');
    await SqliteCertStore.open(path).close();
    const raw = new Database(path);
    raw.prepare("UPDATE meta SET value = 7 WHERE key = 'schema_version'").run();
    raw.close();
    expect(() => SqliteCertStore.open(path)).toThrow(/schema version 7 is newer than this certgate supports \(1\)/);
  });

  it('refuses an SQLite database that belongs to something else', async () => {
    const path = join(dir, 'foreign.sqlite');
    const raw = new Database(path);
    raw.exec('CREATE TABLE users (name TEXT)');
    raw.close();
    expect(() => SqliteCertStore.open(path)).toThrow(/not a certgate store/);
  });
});

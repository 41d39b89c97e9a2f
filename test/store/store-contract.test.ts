// The store's semantics, run against both backends through the CertStore interface: SQLite and
// PostgreSQL must give the same outcomes for the same sequence of operations (supersede by the
// latest notBefore whatever the order, revocation never resurrects, refusals as values, one seq
// per write, all-or-nothing transactions).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PgStore } from '../../src/store/pg-store.js';
import { SqliteCertStore } from '../../src/store/sqlite-adapter.js';
import type { CertStore } from '../../src/store/store.js';
import { makeMiniPki, type Issued } from '../helpers/mini-pki.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';

const DAY = 86_400_000;
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const daysAgo = (n: number): Date => new Date(NOW.getTime() - n * DAY);

const pgUp = await requirePostgres();

let dir: string;
let a1: Issued, a2: Issued, a3: Issued, b1: Issued, b2: Issued, expired: Issued, anon: Issued, dupSerial: Issued, otherIssuer: Issued;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'certgate-contract-'));
  const pki = makeMiniPki(join(dir, 'pki'));
  const pki2 = makeMiniPki(join(dir, 'pki2'), 'Other University CA');
  a1 = pki.issue({ serial: '1000', email: 'alice@jaist.ac.jp', notBefore: daysAgo(400), notAfter: daysAgo(-30) });
  a2 = pki.issue({ serial: '1001', email: 'Alice@JAIST.ac.jp', notBefore: daysAgo(10), notAfter: daysAgo(-355) });
  a3 = pki.issue({ serial: '1002', subjectEmail: 'alice@jaist.ac.jp', notBefore: daysAgo(200), notAfter: daysAgo(-165) });
  b1 = pki.issue({ serial: '2000', email: 'bob@jaist.ac.jp', notBefore: daysAgo(5), notAfter: daysAgo(-360) });
  b2 = pki.issue({ serial: '2001', email: 'bob@jaist.ac.jp', notBefore: daysAgo(5), notAfter: daysAgo(-360) });
  expired = pki.issue({ serial: '3000', email: 'carol@jaist.ac.jp', notBefore: daysAgo(800), notAfter: daysAgo(435) });
  anon = pki.issue({ serial: '4000', cn: 'no mail' });
  dupSerial = pki.sign({ serial: '1000', email: 'mallory@jaist.ac.jp' });
  otherIssuer = pki2.issue({ serial: '1000', email: 'dave@other.ac.jp' });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Backend {
  name: string;
  run: boolean;
  setup?: () => Promise<void>;
  fresh: () => Promise<CertStore>;
  teardown?: () => Promise<void>;
}

let db: TestDatabase | undefined;
let n = 0;
const backends: Backend[] = [
  { name: 'sqlite', run: true, fresh: async () => SqliteCertStore.open(join(dir, `s${++n}.sqlite`)) },
  {
    name: 'postgres',
    run: pgUp,
    setup: async () => {
      db = await createTestDatabase();
    },
    fresh: async () => {
      const s = new PgStore({ url: db!.url, follow: false });
      await s.connect();
      // One database per file; every test starts from an empty store.
      await db!.query('TRUNCATE certgate_certs; UPDATE certgate_seq SET value = 0');
      return s;
    },
    teardown: async () => db?.drop(),
  },
];

for (const backend of backends) {
  describe.runIf(backend.run)(`store semantics: ${backend.name}`, () => {
    const open: CertStore[] = [];
    const fresh = async () => {
      const s = await backend.fresh();
      open.push(s);
      return s;
    };
    beforeAll(async () => backend.setup?.(), 30_000);
    afterEach(async () => {
      while (open.length) await open.pop()!.close();
    });
    afterAll(async () => backend.teardown?.());
    const summary = async (s: CertStore, member: string) =>
      (await s.byMember(member)).map((r) => `${r.serial}:${r.status}${r.supersededBy ? `>${r.supersededBy}` : ''}`);

    it('adds, reports exists without a write, refuses a reused serial, keeps issuers apart', async () => {
      const s = await fresh();
      const r = await s.add(a1.der, NOW);
      expect(r.outcome).toBe('added');
      if (r.outcome === 'refused') throw new Error('unreachable');
      expect(r.record).toMatchObject({ serial: '1000', member: 'alice@jaist.ac.jp', status: 'valid', supersededBy: null, seq: 1 });
      expect(r.record.addedAt).toEqual(NOW);
      expect((await s.add(a1.der, NOW)).outcome).toBe('exists');
      expect(await s.currentSeq()).toBe(1);
      const dup = await s.add(dupSerial.der, NOW);
      expect(dup).toMatchObject({ outcome: 'refused', serial: '1000' });
      if (dup.outcome === 'refused') expect(dup.message).toMatch(/already stored for a different certificate/);
      expect((await s.add(otherIssuer.der, NOW)).outcome).toBe('added');
      expect((await s.bySerial('10:00')).map((x) => x.member).sort()).toEqual(['alice@jaist.ac.jp', 'dave@other.ac.jp']);
    });

    it('refuses, as values: no member, not a certificate, expired (judged at the time passed in)', async () => {
      const s = await fresh();
      expect(await s.add(anon.der, NOW)).toMatchObject({ outcome: 'refused', serial: '4000' });
      expect(await s.add(Buffer.from('junk'), NOW)).toMatchObject({ outcome: 'refused', serial: null });
      const r = await s.add(expired.der, NOW);
      expect(r).toMatchObject({ outcome: 'refused', serial: '3000' });
      if (r.outcome === 'refused') expect(r.message).toMatch(/expired/);
      expect((await s.add(expired.der, daysAgo(500))).outcome).toBe('added');
      expect(await s.currentSeq()).toBe(1);
    });

    it('settles the current certificate by the latest notBefore whatever the order', async () => {
      for (const order of [[a1, a3, a2], [a2, a3, a1], [a3, a1, a2], [a3, a2, a1]]) {
        const s = await fresh();
        for (const c of order) await s.add(c.der, NOW);
        expect(await summary(s, 'ALICE@jaist.ac.jp')).toEqual(['1001:valid', '1002:superseded>1001', '1000:superseded>1001']);
        expect(await s.counts()).toEqual({ valid: 1, superseded: 2, revoked: 0 });
        await s.close();
        open.pop();
      }
    });

    it('breaks a notBefore tie in favour of the later-added certificate', async () => {
      const s = await fresh();
      await s.add(b1.der, NOW);
      await s.add(b2.der, NOW);
      expect(await summary(s, 'bob@jaist.ac.jp')).toEqual(['2001:valid', '2000:superseded>2001']);
    });

    it('never resurrects: a revoked certificate stays revoked, an older one stays superseded', async () => {
      const s = await fresh();
      await s.add(a1.der, NOW);
      expect((await s.revoke('1000', 'keyCompromise', NOW)).outcome).toBe('revoked');
      await s.add(a2.der, NOW);
      expect(await summary(s, 'alice@jaist.ac.jp')).toEqual(['1001:valid', '1000:revoked']);
      expect((await s.revoke('10:01', 'affiliationChanged', NOW)).outcome).toBe('revoked');
      await s.add(a3.der, NOW);
      expect(await summary(s, 'alice@jaist.ac.jp')).toEqual(['1001:revoked', '1002:superseded>1001', '1000:revoked']);
    });

    it('revokes with reason and time; already_revoked, not_found, ambiguous until the issuer is given', async () => {
      const s = await fresh();
      await s.add(a1.der, NOW);
      await s.add(otherIssuer.der, NOW);
      const at = new Date('2026-01-02T03:04:05Z');
      const amb = await s.revoke('1000', 'keyCompromise', at);
      expect(amb.outcome).toBe('ambiguous');
      const issuer = (await s.byMember('alice@jaist.ac.jp'))[0]!.issuer;
      const r = await s.revoke('0x1000', 'keyCompromise', at, issuer);
      expect(r.outcome === 'revoked' && r.record).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise', revokedAt: at });
      const again = await s.revoke('1000', 'superseded', NOW, issuer);
      expect(again.outcome === 'already_revoked' && again.record.revocationReason).toBe('keyCompromise');
      expect(await s.revoke('99', 'unspecified', NOW)).toEqual({ outcome: 'not_found' });
      expect(await s.revoke('zz', 'unspecified', NOW)).toEqual({ outcome: 'not_found' });
      expect((await s.get(issuer, '1000'))?.status).toBe('revoked');
    });

    it('takes one seq per write and returns only later rows from changesSince', async () => {
      const s = await fresh();
      await s.add(a1.der, NOW);
      await s.add(a2.der, NOW); // inserts a2 and supersedes a1 in one write
      const c = await s.changesSince(1);
      expect(c.seq).toBe(2);
      expect(c.rows.map((r) => `${r.serial}@${r.seq}`).sort()).toEqual(['1000@2', '1001@2']);
      expect((await s.changesSince(2)).rows).toEqual([]);
    });

    it('commits a transaction whole or not at all', async () => {
      const s = await fresh();
      const token = s.changeToken();
      await expect(
        s.transaction(async (tx) => {
          await tx.add(a1.der, NOW);
          await tx.add(b1.der, NOW);
          throw new Error('halfway');
        }),
      ).rejects.toThrow('halfway');
      expect(await s.list()).toEqual([]);
      const added = await s.transaction(async (tx) => [await tx.add(a1.der, NOW), await tx.add(a2.der, NOW), await tx.revoke('1000', 'superseded', NOW)]);
      expect(added.map((r) => r.outcome)).toEqual(['added', 'added', 'revoked']);
      expect(await s.currentSeq()).toBe(3);
      expect(s.changeToken()).not.toBe(token);
    });
  });
}

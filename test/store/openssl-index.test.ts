import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOpensslIndex, parseOpensslIndex } from '../../src/store/openssl-index.js';
import { SqliteCertStore } from '../../src/store/sqlite-adapter.js';
import { makeMiniPki, type MiniPki } from '../helpers/mini-pki.js';

const DAY = 86_400_000;
const NOW = new Date();
const daysAgo = (n: number): Date => new Date(Math.floor(NOW.getTime() / 1000) * 1000 - n * DAY);

describe('parseOpensslIndex', () => {
  it('reads V, R and E lines with both time formats and reason spellings', () => {
    const text = [
      'V\t271124064334Z\t\t80\tunknown\t/C=JP/O=JAIST/CN=a',
      'R\t20501231235959Z\t261125064334Z,CACompromise\t0a1b\tunknown\t/C=JP/CN=b',
      'R\t271124064334Z\t261125064334Z\t1001\tunknown\t/CN=c',
      'R\t271124064334Z\t261125064334Z,keyTime,20261101000000Z\t1002\tunknown\t/CN=d',
      'E\t991231000000Z\t\t00FF\tunknown\t/CN=e',
      '',
    ].join('\n');
    const { entries, errors } = parseOpensslIndex(text);
    expect(errors).toEqual([]);
    expect(entries).toEqual([
      { status: 'V', serial: '80', revokedAt: null, reason: null, subject: '/C=JP/O=JAIST/CN=a', notAfter: new Date('2027-11-24T06:43:34Z'), filename: 'unknown' },
      { status: 'R', serial: '0A1B', revokedAt: new Date('2026-11-25T06:43:34Z'), reason: 'cACompromise', subject: '/C=JP/CN=b', notAfter: new Date('2050-12-31T23:59:59Z'), filename: 'unknown' },
      { status: 'R', serial: '1001', revokedAt: new Date('2026-11-25T06:43:34Z'), reason: null, subject: '/CN=c', notAfter: new Date('2027-11-24T06:43:34Z'), filename: 'unknown' },
      { status: 'R', serial: '1002', revokedAt: new Date('2026-11-25T06:43:34Z'), reason: 'keyCompromise', subject: '/CN=d', notAfter: new Date('2027-11-24T06:43:34Z'), filename: 'unknown' },
      { status: 'E', serial: 'FF', revokedAt: null, reason: null, subject: '/CN=e', notAfter: new Date('1999-12-31T00:00:00Z'), filename: 'unknown' },
    ]);
  });

  it('reports malformed lines by number and keeps the good ones', () => {
    const text = [
      'V\t271124064334Z\t\t80\tunknown\t/CN=ok',
      'X\t271124064334Z\t\t81\tunknown\t/CN=a',
      'V\t2711240643Z\t\t82\tunknown\t/CN=b',
      'V\t271124064334Z\t\tzz\tunknown\t/CN=c',
      'R\t271124064334Z\t\t83\tunknown\t/CN=d',
      'R\t271124064334Z\t261125064334Z,stolen\t84\tunknown\t/CN=e',
      'V\t271124064334Z\t261125064334Z\t85\tunknown\t/CN=f',
      'V 271124064334Z 86 unknown /CN=g',
      'V\t271324064334Z\t\t87\tunknown\t/CN=h',
    ].join('\r\n');
    const { entries, errors } = parseOpensslIndex(text);
    expect(entries.map((e) => e.serial)).toEqual(['80']);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(errors[0]!.message).toMatch(/status/);
    expect(errors[3]!.message).toMatch(/revocation time/);
    expect(errors[4]!.message).toMatch(/reason "stolen"/);
    expect(errors[5]!.message).toMatch(/revocation field/);
  });
});

describe('importOpensslIndex', () => {
  let dir: string;
  let pki: MiniPki;
  let store: SqliteCertStore;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'certgate-index-'));
    pki = makeMiniPki(join(dir, 'pki'));
    pki.issue({ serial: '1000', email: 'alice@jaist.ac.jp', notBefore: daysAgo(400), notAfter: daysAgo(-30) });
    const renewal = pki.issue({ serial: '1001', email: 'alice@jaist.ac.jp', notBefore: daysAgo(10), notAfter: daysAgo(-355) });
    const bob = pki.issue({ serial: '80', email: 'bob@jaist.ac.jp', notBefore: daysAgo(30), notAfter: daysAgo(-335) });
    pki.issue({ serial: '2000', email: 'carol@jaist.ac.jp', notBefore: daysAgo(800), notAfter: daysAgo(435) });
    pki.issue({ serial: '2001', email: 'dave@jaist.ac.jp', notBefore: daysAgo(20), notAfter: daysAgo(-345) });
    pki.issue({ serial: '2002', cn: 'no mail address' });
    pki.issue({ serial: '20AB', email: 'erin@jaist.ac.jp' });
    pki.revoke(bob, 'keyCompromise');
    pki.revoke(renewal, 'CACompromise');
    pki.updatedb(); // marks carol's expired certificate E
    // One certificate file went missing, and one was stored under a lowercase name.
    rmSync(join(pki.newCertsDir, '2001.pem'));
    renameSync(join(pki.newCertsDir, '20AB.pem'), join(pki.newCertsDir, '20ab.pem'));
    store = SqliteCertStore.open(join(dir, 'store.sqlite'));
  }, 60_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the CA history, revocations included', async () => {
    const text = readFileSync(pki.indexPath, 'utf8');
    expect(text).toMatch(/^E\t.*\t2000\t/m);
    const report = await importOpensslIndex(store, text + 'garbage line\n', pki.newCertsDir, NOW);
    expect(report).toMatchObject({ entries: 7, added: 5, existing: 0, revoked: 2, alreadyRevoked: 0, missing: ['2001'] });
    expect(report.refused).toHaveLength(1);
    expect(report.refused[0]).toMatchObject({ serial: '2002' });
    expect(report.refused[0]!.message).toMatch(/no member identity/);
    expect(report.errors).toEqual([{ line: 8, message: expect.stringMatching(/6 tab-separated fields/) }]);

    const bySerial = new Map((await store.list()).map((r) => [r.serial, r]));
    expect(bySerial.get('80')).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise', member: 'bob@jaist.ac.jp' });
    // Revocation time comes from the index (second precision), not from `now`.
    const revokedAt = bySerial.get('80')!.revokedAt!;
    expect(revokedAt.getMilliseconds()).toBe(0);
    expect(Math.abs(revokedAt.getTime() - Date.now())).toBeLessThan(120_000);
    // The renewal was revoked; the older certificate stays superseded, it is not brought back.
    expect(bySerial.get('1001')).toMatchObject({ status: 'revoked', revocationReason: 'cACompromise' });
    expect(bySerial.get('1000')).toMatchObject({ status: 'superseded', supersededBy: '1001' });
    // The expired certificate is part of the history.
    expect(bySerial.get('2000')).toMatchObject({ status: 'valid', member: 'carol@jaist.ac.jp' });
    expect(bySerial.get('20AB')?.member).toBe('erin@jaist.ac.jp');
  });

  it('is idempotent', async () => {
    const report = await importOpensslIndex(store, readFileSync(pki.indexPath, 'utf8'), pki.newCertsDir, NOW);
    expect(report).toMatchObject({ added: 0, existing: 5, revoked: 0, alreadyRevoked: 2, missing: ['2001'], errors: [] });
    expect(await store.counts()).toEqual({ valid: 2, superseded: 1, revoked: 2 });
  });

  it('throws when the certificates folder cannot be read', async () => {
    await expect(importOpensslIndex(store, '', join(dir, 'nope'), NOW)).rejects.toThrow(/ENOENT/);
  });
});

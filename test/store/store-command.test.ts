import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeCommand } from '../../src/cli/store-command.js';
import { SqliteCertStore } from '../../src/store/sqlite-adapter.js';
import { makeMiniPki, type Issued, type MiniPki } from '../helpers/mini-pki.js';

const DAY = 86_400_000;
const NOW = new Date();
const daysAgo = (n: number): Date => new Date(Math.floor(NOW.getTime() / 1000) * 1000 - n * DAY);

let dir: string;
let pki: MiniPki;
let old: Issued, renewal: Issued, expired: Issued, anon: Issued, big: Issued;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'certgate-cli-'));
  pki = makeMiniPki(join(dir, 'pki'));
  old = pki.issue({ serial: '0a', email: 'alice@jaist.ac.jp', notBefore: daysAgo(300), notAfter: daysAgo(-65) });
  renewal = pki.issue({ serial: '0b', email: 'alice@jaist.ac.jp', notBefore: daysAgo(3), notAfter: daysAgo(-362) });
  expired = pki.issue({ serial: '0c', email: 'carol@jaist.ac.jp', notBefore: daysAgo(800), notAfter: daysAgo(435) });
  anon = pki.issue({ serial: '0d', cn: 'no mail' });
  big = pki.issue({ serial: 'c0ffee00112233445566778899aabbcc', email: 'bob@jaist.ac.jp' });
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function cli(dbPath = join(dir, `db${++n}.sqlite`)) {
  const out: string[] = [];
  const err: string[] = [];
  const run = (...argv: string[]) => {
    out.length = 0;
    err.length = 0;
    return storeCommand(argv, { openStore: () => SqliteCertStore.open(dbPath), out: (l) => out.push(l), err: (l) => err.push(l), now: () => NOW });
  };
  return { run, out, err, dbPath };
}

describe('certgate store', () => {
  it('add prints one line per certificate and reads bundles and DER', async () => {
    const c = cli();
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, `${renewal.pem}\n${old.pem}`);
    const der = join(dir, 'big.der');
    writeFileSync(der, big.der);
    expect(await c.run('add', bundle, der)).toBe(0);
    expect(c.out).toEqual([
      'added 0B alice@jaist.ac.jp valid',
      'added 0A alice@jaist.ac.jp superseded',
      'added C0FFEE00112233445566778899AABBCC bob@jaist.ac.jp valid',
    ]);
    expect(await c.run('add', old.pemPath)).toBe(0);
    expect(c.out).toEqual(['exists 0A alice@jaist.ac.jp superseded']);
  });

  it('add refuses per certificate and exits 1, allowing expired ones on request', async () => {
    const c = cli();
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'nothing here');
    expect(await c.run('add', expired.pemPath, anon.pemPath, junk, join(dir, 'absent.pem'), renewal.pemPath)).toBe(1);
    expect(c.out).toEqual(['added 0B alice@jaist.ac.jp valid']);
    expect(c.err).toEqual([
      expect.stringMatching(new RegExp(`^refused ${expired.pemPath}: serial 0C: expired on`)),
      expect.stringMatching(new RegExp(`^refused ${anon.pemPath}: serial 0D: no member identity`)),
      `refused ${junk}: no certificate found`,
      expect.stringMatching(/^refused .*absent\.pem: cannot read: .*ENOENT/),
    ]);
    expect(await c.run('add', '--allow-expired', expired.pemPath)).toBe(0);
    expect(c.out).toEqual(['added 0C carol@jaist.ac.jp valid']);
  });

  it('list prints a table and --json an array with ISO dates', async () => {
    const c = cli();
    await c.run('add', old.pemPath, renewal.pemPath, big.pemPath);
    await c.run('revoke', '--serial', '0b', '--reason', 'keyCompromise');
    expect(await c.run('list')).toBe(0);
    expect(c.out[0]).toMatch(/^SERIAL\s+MEMBER\s+STATUS\s+NOT_AFTER\s+REASON$/);
    expect(c.out.slice(1)).toEqual([
      expect.stringMatching(/^0A\s+alice@jaist\.ac\.jp\s+superseded\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+-$/),
      expect.stringMatching(/^0B\s+alice@jaist\.ac\.jp\s+revoked\s+\S+Z\s+keyCompromise$/),
      expect.stringMatching(/^C0FFEE00112233445566778899AABBCC\s+bob@jaist\.ac\.jp\s+valid\s+\S+Z\s+-$/),
    ]);
    expect(await c.run('list', '--json')).toBe(0);
    const rows = JSON.parse(c.out.join('\n')) as Record<string, unknown>[];
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ serial: '0B', status: 'revoked', revocationReason: 'keyCompromise', revokedAt: NOW.toISOString() });
    expect(rows[0]!.notAfter).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  });

  it('revoke handles every outcome', async () => {
    const c = cli();
    await c.run('add', old.pemPath, renewal.pemPath);
    expect(await c.run('revoke', '--serial', '0x0B', '--reason', 'CACompromise')).toBe(0);
    expect(c.out).toEqual([`revoked 0B alice@jaist.ac.jp (cACompromise) at ${NOW.toISOString().replace(/\.\d+Z/, 'Z')}`]);
    expect(await c.run('revoke', '--serial', '0b', '--reason', 'superseded')).toBe(0);
    expect(c.out[0]).toMatch(/^already revoked 0B .* \(cACompromise\)/);
    expect(await c.run('revoke', '--serial', 'ff', '--reason', 'superseded')).toBe(1);
    expect(c.err).toEqual(['no certificate with serial FF']);
  });

  it('revoke with an unknown reason exits 2 listing the valid names', async () => {
    const c = cli();
    expect(await c.run('revoke', '--serial', '0a', '--reason', 'stolen')).toBe(2);
    expect(c.err.join('\n')).toMatch(/unknown reason "stolen".*keyCompromise.*aACompromise/);
    expect(existsSync(c.dbPath)).toBe(false); // argument errors never create a store
  });

  it('revoke asks for --issuer when the serial is ambiguous', async () => {
    const c = cli();
    const other = makeMiniPki(join(dir, 'pki-other'), 'Other CA').issue({ serial: '0a', email: 'x@other.ac.jp' });
    await c.run('add', old.pemPath, other.pemPath);
    expect(await c.run('revoke', '--serial', '0a', '--reason', 'unspecified')).toBe(1);
    expect(c.err[0]).toMatch(/several issuers/);
    expect(c.err.slice(1)).toHaveLength(2);
    const issuer = 'C=JP, O=National Institute of Informatics, CN=Other CA';
    expect(await c.run('revoke', '--serial', '0a', '--reason', 'unspecified', '--issuer', issuer)).toBe(0);
    expect(c.out[0]).toMatch(/^revoked 0A x@other\.ac\.jp/);
  }, 30_000);

  it('import reads an OpenSSL CA database', async () => {
    const c = cli();
    pki.revoke(renewal, 'keyCompromise');
    expect(await c.run('import', '--openssl-index', pki.indexPath, '--certs', pki.newCertsDir)).toBe(1);
    expect(c.out[0]).toMatch(/^import: 5 entries, 4 added, 0 existing, 1 revoked, 0 already revoked, 0 missing, 1 refused, 0 malformed lines$/);
    expect(c.err).toEqual([expect.stringMatching(/^refused 0D: no member identity/)]);
    const store = SqliteCertStore.open(c.dbPath);
    try {
      expect((await store.list()).find((r) => r.serial === '0B')?.status).toBe('revoked');
    } finally {
      await store.close();
    }
  });

  it('prints usage and exits 2 on bad command lines', async () => {
    const c = cli();
    for (const argv of [[], ['frobnicate'], ['add'], ['import', '--certs', dir], ['revoke', '--serial', '0a'], ['list', '--bogus'], ['revoke', '--serial', 'xyz', '--reason', 'unspecified']]) {
      expect(await c.run(...argv)).toBe(2);
      expect(c.err.join('\n')).toMatch(/usage: certgate store/);
    }
    expect(await c.run('--help')).toBe(0);
    expect(c.out[0]).toMatch(/usage: certgate store/);
    expect(existsSync(c.dbPath)).toBe(false);
  });

  it('reports a broken store file and exits 1', async () => {
    const path = join(dir, 'broken.sqlite');
    writeFileSync(path, 'not a database at all; '.repeat(50));
    const c = cli(path);
    expect(await c.run('list')).toBe(1);
    expect(c.err[0]).toContain(path);
    expect(readFileSync(path, 'utf8')).toMatch(/^not a database/); // left untouched
  });
});

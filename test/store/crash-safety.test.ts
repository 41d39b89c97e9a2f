// No lost data: a writer is killed with SIGKILL in the middle of store writes; every change it
// acknowledged (printed after the store call returned) must be there, and the database intact.
// And a store that cannot be opened or migrated stops start-up with exit code 2, never an empty start.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';

const WRITER = join(ROOT, 'test/helpers/store-writer.mjs');

/** Runs the writer until it has acknowledged `after` changes, then SIGKILLs it mid-stream. */
function writeThenKill(db: string, prefix: string, after: number): Promise<{ added: string[]; revoked: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, db, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    const added: string[] = [];
    const revoked: string[] = [];
    let buf = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const [what, serial] = buf.slice(0, i).split(' ');
        buf = buf.slice(i + 1);
        if (what === 'added') added.push(serial!);
        if (what === 'revoked') revoked.push(serial!);
      }
      if (!killed && added.length + revoked.length >= after) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer ended with ${code}/${signal}: ${stderr}`));
      resolve({ added, revoked });
    });
  });
}

describe('the SQLite store survives kill -9 during writes', () => {
  it('keeps every acknowledged add and revoke, over several kills, and passes integrity_check', async () => {
    const db = join(tempDir('certgate-crash-'), 'store.db');
    const acked = { added: new Set<string>(), revoked: new Set<string>() };
    for (const [round, after] of [[1, 37], [2, 81], [3, 150]] as const) {
      const r = await writeThenKill(db, `${round}A${randomBytes(2).toString('hex').toUpperCase()}`, after);
      r.added.forEach((s) => acked.added.add(s));
      r.revoked.forEach((s) => acked.revoked.add(s));
      const d = new Database(db);
      try {
        expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(d.pragma('journal_mode', { simple: true })).toBe('wal');
        const rows = new Map((d.prepare('SELECT serial, status FROM certs').all() as { serial: string; status: string }[]).map((x) => [x.serial, x.status]));
        for (const s of acked.added) expect(rows.has(s), `acknowledged add ${s} lost`).toBe(true);
        for (const s of acked.revoked) expect(rows.get(s), `acknowledged revoke ${s} lost`).toBe('revoked');
      } finally {
        d.close();
      }
    }
    expect(acked.added.size).toBeGreaterThan(150);
    expect(acked.revoked.size).toBeGreaterThan(20);
  }, 60_000);
});

describe('a store that cannot be opened stops start-up (exit 2), never an empty start', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  const config = (dir: string, store: string) =>
    writeConfig(
      dir,
      gatewayYaml(pki, '', { radius: `  listen: ["127.0.0.1:0"]
  clients:
    - { name: lo, network: 127.0.0.1, secret: testing123 }`, store: `  path: ${store}` }),
    );

  it('a file that is not a database: exit 2, a clear message, the file untouched', async () => {
    const dir = tempDir();
    const garbage = randomBytes(16_384);
    writeFileSync(join(dir, 'store.db'), garbage);
    const r = await runCli(['serve', '--config', config(dir, 'store.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/store\.db.*(not a database|malformed)/s);
    expect(readFileSync(join(dir, 'store.db')).equals(garbage)).toBe(true);
  });

  it('a directory where the file should be: exit 2', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'store.db'));
    const r = await runCli(['serve', '--config', config(dir, 'store.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot start: .*store\.db/);
  });

  it('a store written by a newer certgate (schema version ahead): exit 2, asks for an upgrade', async () => {
    const dir = tempDir();
    const made = await runCli(['store', '--config', config(dir, 'store.db'), 'list']);
    expect(made.code, made.stderr).toBe(0);
    const d = new Database(join(dir, 'store.db'));
    d.prepare("UPDATE meta SET value = 99 WHERE key = 'schema_version'").run();
    d.close();
    const r = await runCli(['serve', '--config', config(dir, 'store.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schema version 99 is newer/);
  });
});

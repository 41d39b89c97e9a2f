/**
 * Test PKI for vitest: runs scripts/make-pki.sh into a fresh temporary
 * directory (see certs-fixtures/README.md for what each file is).
 *
 * Members: alice, alice-old, bob, carol, dave (expired), eve (not in the
 * store), alice-noeku (no clientAuth EKU), mallory (untrusted Other University
 * CA).
 *
 * The Demo UPKI CA directory (`caDir`) is a real `openssl ca` database. Its
 * openssl.cnf resolves paths from $CA_DIR, falling back to the current
 * directory, so run e.g.
 *   execFileSync('openssl', ['ca', '-config', pki.opensslCnf, '-revoke', pki.member('carol').cert], { cwd: pki.caDir })
 *   execFileSync('openssl', ['ca', '-config', pki.opensslCnf, '-gencrl', '-crldays', '10950', '-out', pki.crl], { cwd: pki.caDir })
 * (or pass env { ...process.env, CA_DIR: pki.caDir } instead of cwd).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestPki {
  /** Absolute path of the generated PKI directory. */
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** Paths of members/<name>.pem and members/<name>.key; throws for an unknown member. */
  member(name: string): { cert: string; key: string };
  /** Other University CA (not trusted); mallory's issuer. */
  otherCaCert: string;
  /** The openssl ca database directory of the Demo UPKI CA (index.txt, serial, newcerts/, ...). */
  caDir: string;
  /** caDir/openssl.cnf */
  opensslCnf: string;
  /** caDir/crl.pem: initial CRL, revoking nothing. */
  crl: string;
  ocspCert: string;
  ocspKey: string;
}

export interface MakeTestPkiOptions {
  /**
   * Generate a new, uncached PKI (e.g. for a test that revokes certificates in
   * the CA database and must not affect other tests). Default: false.
   */
  fresh?: boolean;
}

const SCRIPT = fileURLToPath(new URL('../../scripts/make-pki.sh', import.meta.url));
const PREFIX = 'certgate-pki-';
const PID_FILE = '.owner-pid';

let cached: TestPki | undefined;
const createdDirs: string[] = [];
let cleanupRegistered = false;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * vitest usually kills its workers without an 'exit' event, so directories of
 * earlier runs are removed here once their owning process is gone.
 */
function removeStaleDirs(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of entries) {
    if (!name.startsWith(PREFIX)) continue;
    const d = join(tmpdir(), name);
    try {
      const pid = Number(readFileSync(join(d, PID_FILE), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) rmSync(d, { recursive: true, force: true });
    } catch {
      // no pid file (yet) or not ours: leave it
    }
  }
}

function generate(): TestPki {
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    removeStaleDirs();
    process.on('exit', () => {
      for (const d of createdDirs) {
        try {
          rmSync(d, { recursive: true, force: true });
        } catch {
          // best effort
        }
      }
    });
  }
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  createdDirs.push(dir);
  writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);

  try {
    execFileSync('bash', [SCRIPT, dir], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    throw new Error(`make-pki.sh failed: ${e.stderr || e.message || String(err)}`);
  }

  const caDir = join(dir, 'ca');
  return {
    dir,
    caCert: join(caDir, 'ca.pem'),
    caKey: join(caDir, 'ca.key'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    member(name: string) {
      const cert = join(dir, 'members', `${name}.pem`);
      const key = join(dir, 'members', `${name}.key`);
      if (!/^[a-z0-9-]+$/.test(name) || !existsSync(cert) || !existsSync(key)) {
        throw new Error(`test PKI has no member "${name}"`);
      }
      return { cert, key };
    },
    otherCaCert: join(dir, 'other-ca', 'ca.pem'),
    caDir,
    opensslCnf: join(caDir, 'openssl.cnf'),
    crl: join(caDir, 'crl.pem'),
    ocspCert: join(dir, 'ocsp-responder.pem'),
    ocspKey: join(dir, 'ocsp-responder.key'),
  };
}

/**
 * Generate the test PKI (synchronously, ~2 s) into a fresh directory under
 * os.tmpdir(). Cached per module instance, so tests in one file share it
 * unless `{ fresh: true }` is passed. Directories are removed at process exit,
 * or (if the process was killed) by the next run.
 */
export function makeTestPki(options: MakeTestPkiOptions = {}): TestPki {
  if (options.fresh) return generate();
  cached ??= generate();
  return cached;
}

// Where the CUI key comes from: identity.cuiKey / cuiKeyFile / cuiKeyEnv when configured (several
// gateways must share it), else a random key made once and kept in a file, so CUIs stay the same
// across restarts. The file is created with O_EXCL and mode 0600: two processes starting at once
// end up with the same key, and a damaged file is an error, never silently replaced (that would
// change every member's CUI).
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const KEY_BYTES = 32;

export type CuiKeySource = { key: Buffer; source: 'config' | 'file' | 'created'; path?: string };

export function loadOrCreateCuiKey(configured: Buffer | undefined, keyFile: string): CuiKeySource {
  if (configured) return { key: configured, source: 'config' };
  try {
    return { key: parseKeyFile(readFileSync(keyFile, 'utf8'), keyFile), source: 'file', path: keyFile };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = randomBytes(KEY_BYTES);
  try {
    writeFileSync(keyFile, `${key.toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    return { key, source: 'created', path: keyFile };
  } catch (e) {
    // Another process made it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { key: parseKeyFile(readFileSync(keyFile, 'utf8'), keyFile), source: 'file', path: keyFile };
    throw e;
  }
}

function parseKeyFile(text: string, path: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`CUI key file ${path} does not hold 64 hex digits; restore it (a new key would change every CUI)`);
  return Buffer.from(hex, 'hex');
}

/** The generated key's file: next to the SQLite database, or next to the configuration file. */
export function defaultCuiKeyFile(store: { path?: string | undefined }, configFile: string): string {
  if (store.path) return `${store.path}.cui-key`;
  return configFile.replace(/[^/]*$/, 'certgate-cui.key');
}

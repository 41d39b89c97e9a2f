// Configuration texts as the config tests load them: a temp folder with placeholder files for the
// paths a config names (loadConfig checks they exist; it does not parse them), each text written
// to a file of its own there, and ConfigError problems as "path: message" lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.js';

export interface ConfigFolder {
  dir: string;
  /** Writes `text` to a new file in the folder and loads it. */
  load(text: string): ReturnType<typeof loadConfig>;
  /** The problems loading `text` reports; [] when it loads. */
  problems(text: string): string[];
}

export function configFolder(prefix: string, files = ['server.pem', 'server.key', 'ca.pem']): ConfigFolder {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const f of files) writeFileSync(join(dir, f), 'x');
  let n = 0;
  const load = (text: string) => {
    const p = join(dir, `c${n++}.yaml`);
    writeFileSync(p, text);
    return loadConfig(p);
  };
  const problems = (text: string): string[] => {
    try {
      load(text);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
      throw e;
    }
    return [];
  };
  return { dir, load, problems };
}

/** The smallest loadable config (one client, the placeholder files), with `extra` top-level sections. */
export const baseYaml = (clients = '    - { name: ap, network: 10.0.0.0/8, secret: testing123 }', extra = '') => `radius:
  listen: ["127.0.0.1:1812"]
  clients:
${clients}
tls:
  certificate: server.pem
  privateKey: server.key
  trustAnchors: [ca.pem]
identity:
  realms: [jaist.ac.jp]
store:
  path: store.db
${extra}`;

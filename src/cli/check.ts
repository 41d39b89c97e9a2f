import { readFileSync } from 'node:fs';
import type { Config } from '../config/load.js';
import { StoreSnapshot } from '../store/snapshot.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { parseCertificates } from '../verify/cert-facts.js';
import { verifierFromConfig } from '../verify/from-config.js';
import { takeOption } from './main.js';

/** `certgate check`: the gateway's own decision on a certificate file, offline. */
export async function check(config: Config, argv: string[]): Promise<number> {
  const { value: identity, rest } = takeOption(argv, '--identity');
  const json = rest.includes('--json');
  const files = rest.filter((a) => a !== '--json');
  if (files.length !== 1) {
    process.stderr.write('usage: certgate check --config FILE CERT.pem [--identity NAME] [--json]\n');
    return 2;
  }
  let chain: Buffer[];
  try {
    chain = parseCertificates(readFileSync(files[0]!));
  } catch (e) {
    process.stderr.write(`certgate check: cannot read ${files[0]}: ${(e as Error).message}\n`);
    return 2;
  }
  if (chain.length === 0) {
    process.stderr.write(`certgate check: no certificate in ${files[0]}\n`);
    return 2;
  }
  const store = SqliteStore.open(config.store.path);
  try {
    const { verifier } = verifierFromConfig(config, new StoreSnapshot(store));
    const d = await verifier.decide({ chain, outerIdentity: identity ?? null, now: new Date() });
    if (json) process.stdout.write(`${JSON.stringify(d)}\n`);
    else {
      process.stdout.write(`decision: ${d.result}\nreason:   ${d.reason}\n`);
      if (d.member) process.stdout.write(`member:   ${d.member}\n`);
      if (d.serial) process.stdout.write(`serial:   ${d.serial}\n`);
      if (d.issuer) process.stdout.write(`issuer:   ${d.issuer}\n`);
      if (d.detail) process.stdout.write(`detail:   ${d.detail}\n`);
    }
    return d.result === 'accept' ? 0 : 1;
  } finally {
    store.close();
  }
}

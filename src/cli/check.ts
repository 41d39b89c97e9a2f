import { readFileSync } from 'node:fs';
import type { Config } from '../config/load.js';
import { StoreSnapshot } from '../store/snapshot.js';
import { openCertStore } from '../store/open.js';
import type { CertStore } from '../store/store.js';
import { parseCertificates } from '../verify/cert-facts.js';
import { verifierFromConfig } from '../verify/from-config.js';
import { RevocationService } from '../revocation/revocation-service.js';
import type { RevocationFact } from '../revocation/types.js';
import { takeOption } from './main.js';
import { decideWithPolicy } from '../policy/authorize.js';
import { describeReply } from '../policy/attributes.js';
import { Policy, describeRule } from '../policy/policy.js';

/** `certgate check`: the gateway's own decision on a certificate file, offline. */
export async function check(config: Config, argv: string[]): Promise<number> {
  const { value: identity, rest: afterIdentity } = takeOption(argv, '--identity');
  // The RADIUS client the login would come through, for policy rules that match on `client`.
  const { value: client, rest } = takeOption(afterIdentity, '--client');
  const json = rest.includes('--json');
  const files = rest.filter((a) => a !== '--json');
  if (files.length !== 1) {
    process.stderr.write('usage: certgate check --config FILE CERT.pem [--identity NAME] [--client NAME] [--json]\n');
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
  let store: CertStore;
  try {
    store = await openCertStore(config.store, { follow: false });
  } catch (e) {
    process.stderr.write(`certgate check: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const snapshot = new StoreSnapshot(store);
    await snapshot.refresh();
    // The gateway's revocation set-up, loaded once (no watchers): CRL problems go to stderr.
    const say = (_fields: object, message: string) => process.stderr.write(`certgate check: ${message}\n`);
    const revocation = new RevocationService(config, { log: { info: () => undefined, warn: say, error: say } });
    await revocation.start({ background: false });
    const { verifier, chains } = verifierFromConfig(config, snapshot, revocation);
    const policy = new Policy(config.policy);
    const d = await decideWithPolicy({ verifier, chains, policy }, { chain, outerIdentity: identity ?? null, now: new Date(), client: client ?? null });
    revocation.stop();
    if (json) process.stdout.write(`${JSON.stringify(d)}\n`);
    else {
      process.stdout.write(`decision: ${d.result}\nreason:   ${d.reason}\n`);
      if (d.member) process.stdout.write(`member:   ${d.member}\n`);
      if (d.serial) process.stdout.write(`serial:   ${d.serial}\n`);
      if (d.issuer) process.stdout.write(`issuer:   ${d.issuer}\n`);
      if (d.detail) process.stdout.write(`detail:   ${d.detail}\n`);
      if (d.rule !== undefined) process.stdout.write(`policy:   ${d.rule ? `rule ${describeRule(d.rule)}` : 'no rule matched'}${client === undefined && policy.uses('client') ? ' (no --client given: rules matching on client do not match)' : ''}\n`);
      if (d.result === 'accept') {
        // What the Access-Accept would carry besides EAP-Success, the MPPE keys and the session token.
        for (const line of [`User-Name = "${d.member}"`, ...describeReply(d.reply ?? {})]) process.stdout.write(`reply:    ${line}\n`);
      }
      for (const f of d.revocation?.facts ?? []) process.stdout.write(`revocation: ${revocationLine(f)}\n`);
    }
    return d.result === 'accept' ? 0 : 1;
  } finally {
    await store.close();
  }
}

/** One line per certificate checked: which, the source, its answer, its validity, cached or not. */
function revocationLine(f: RevocationFact): string {
  const parts = [`${f.subject} (serial ${f.serial}): ${f.status} by ${f.source}${f.cached ? ' (cached)' : ' (asked now)'}`];
  if (f.from) parts.push(`from ${f.from}`);
  if (f.crlNumber) parts.push(`CRL Number ${f.crlNumber}`);
  if (f.thisUpdate) parts.push(`thisUpdate ${f.thisUpdate}`);
  if (f.nextUpdate) parts.push(`nextUpdate ${f.nextUpdate}`);
  if (f.revokedAt) parts.push(`revoked ${f.revokedAt}${f.revocationReason ? ` (${f.revocationReason})` : ''}`);
  if (f.softFail) parts.push('passed by softFail');
  if (f.detail) parts.push(f.detail);
  return parts.join(', ');
}

// `certgate store …`: the operator's hands on the issued-certificate store (SQLite or PostgreSQL).
// Changes made here are picked up by running gateways (SQLite: their poll; PostgreSQL: NOTIFY), no
// restart needed. When the store cannot be reached the command says so and exits 3: whatever it
// printed before was written, the failing step was not.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { importOpensslIndex } from '../store/openssl-index.js';
import { StoreUnavailableError, type CertStore } from '../store/store.js';
import { parseReason, REVOCATION_REASONS, type CertRecord } from '../store/types.js';
import { parseCertificates, tryNormaliseSerial } from '../verify/cert-facts.js';

export interface StoreCommandDeps {
  openStore: () => CertStore | Promise<CertStore>;
  out: (line: string) => void;
  err: (line: string) => void;
  now: () => Date;
}

const USAGE = `usage: certgate store <command>
  add [--allow-expired] FILE...                     add certificates (PEM, DER or PEM bundles)
  import --openssl-index INDEX --certs DIR          import an OpenSSL CA database (index.txt + new certs dir)
  list [--json]                                     list stored certificates
  revoke --serial HEX --reason REASON [--issuer DN] revoke a certificate
reasons: ${REVOCATION_REASONS.join(', ')}`;

class UsageError extends Error {}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// Second precision is what certificates carry; milliseconds would only add noise.
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(message(e));
  }
}

export async function storeCommand(argv: string[], deps: StoreCommandDeps): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'help' || sub === '--help' || sub === '-h') {
    deps.out(USAGE);
    return 0;
  }
  try {
    switch (sub) {
      case 'add':
        return await add(rest, deps);
      case 'import':
        return await importIndex(rest, deps);
      case 'list':
        return await list(rest, deps);
      case 'revoke':
        return await revoke(rest, deps);
      default:
        throw new UsageError(sub === undefined ? 'missing command' : `unknown command "${sub}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      deps.err(`certgate store: ${e.message}`);
      deps.err(USAGE);
      return 2;
    }
    // I/O failures (store cannot be opened, unreadable files) end the command with a message.
    deps.err(`certgate store ${sub}: ${message(e)}`);
    if (e instanceof StoreUnavailableError) {
      deps.err('nothing more was written; run the command again when the store is back (repeating it is safe)');
      return 3;
    }
    return 1;
  }
}

// Opens the store only after the arguments are known to be good, so a typo creates no file.
async function withStore<T>(deps: StoreCommandDeps, fn: (store: CertStore) => Promise<T>): Promise<T> {
  const store = await deps.openStore();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function add(args: string[], deps: StoreCommandDeps): Promise<number> {
  const { values, positionals } = parse(args, { 'allow-expired': { type: 'boolean' } });
  if (positionals.length === 0) throw new UsageError('add needs at least one FILE');
  const allowExpired = values['allow-expired'] === true;
  return withStore(deps, async (store) => {
    let refused = 0;
    const refuse = (file: string, why: string): void => {
      refused++;
      deps.err(`refused ${file}: ${why}`);
    };
    for (const file of positionals) {
      let ders: Buffer[];
      try {
        ders = parseCertificates(readFileSync(file));
      } catch (e) {
        refuse(file, `cannot read: ${message(e)}`);
        continue;
      }
      if (ders.length === 0) refuse(file, 'no certificate found');
      for (const der of ders) {
        const r = await store.add(der, deps.now(), { allowExpired });
        if (r.outcome === 'refused') refuse(file, r.serial === null ? r.message : `serial ${r.serial}: ${r.message}`);
        else deps.out(`${r.outcome} ${r.record.serial} ${r.record.member} ${r.record.status}`);
      }
    }
    return refused === 0 ? 0 : 1;
  });
}

async function importIndex(args: string[], deps: StoreCommandDeps): Promise<number> {
  const { values, positionals } = parse(args, { 'openssl-index': { type: 'string' }, certs: { type: 'string' } });
  const indexPath = values['openssl-index'];
  const certsDir = values.certs;
  if (indexPath === undefined || certsDir === undefined) throw new UsageError('import needs --openssl-index INDEX and --certs DIR');
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const text = readFileSync(indexPath, 'utf8');
  const r = await withStore(deps, (store) => importOpensslIndex(store, text, certsDir, deps.now()));
  deps.out(
    `import: ${r.entries} entries, ${r.added} added, ${r.existing} existing, ${r.revoked} revoked, ` +
      `${r.alreadyRevoked} already revoked, ${r.missing.length} missing, ${r.refused.length} refused, ` +
      `${r.errors.length} malformed lines`,
  );
  for (const e of r.errors) deps.err(`${indexPath}:${e.line}: ${e.message}`);
  for (const s of r.missing) deps.err(`missing ${s}: no certificate file in ${certsDir}`);
  for (const f of r.refused) deps.err(`refused ${f.serial}: ${f.message}`);
  return r.errors.length + r.missing.length + r.refused.length === 0 ? 0 : 1;
}

async function list(args: string[], deps: StoreCommandDeps): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const records = await withStore(deps, (store) => store.list());
  if (values.json === true) {
    deps.out(JSON.stringify(records, null, 2)); // Dates serialise as ISO 8601.
    return 0;
  }
  const rows = [['SERIAL', 'MEMBER', 'STATUS', 'NOT_AFTER', 'REASON']];
  for (const r of records) rows.push([r.serial, r.member, r.status, isoSeconds(r.notAfter), r.revocationReason ?? '-']);
  for (const line of table(rows)) deps.out(line);
  return 0;
}

function describe(r: CertRecord): string {
  return `${r.serial} ${r.member} (${r.revocationReason ?? 'unspecified'}) at ${r.revokedAt ? isoSeconds(r.revokedAt) : '?'}`;
}

async function revoke(args: string[], deps: StoreCommandDeps): Promise<number> {
  const { values, positionals } = parse(args, {
    serial: { type: 'string' },
    reason: { type: 'string' },
    issuer: { type: 'string' },
  });
  if (values.serial === undefined || values.reason === undefined) throw new UsageError('revoke needs --serial HEX and --reason REASON');
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const serial = tryNormaliseSerial(values.serial);
  if (serial === null) throw new UsageError(`--serial "${values.serial}" is not hexadecimal`);
  const reason = parseReason(values.reason);
  if (reason === null) {
    deps.err(`certgate store revoke: unknown reason "${values.reason}"; valid reasons: ${REVOCATION_REASONS.join(', ')}`);
    return 2;
  }
  const r = await withStore(deps, (store) => store.revoke(serial, reason, deps.now(), values.issuer));
  switch (r.outcome) {
    case 'revoked':
      deps.out(`revoked ${describe(r.record)}`);
      return 0;
    case 'already_revoked':
      // The wanted state holds already; say so, with the reason on record.
      deps.out(`already revoked ${describe(r.record)}`);
      return 0;
    case 'not_found':
      deps.err(`no certificate with serial ${serial}${values.issuer === undefined ? '' : ` from issuer "${values.issuer}"`}`);
      return 1;
    case 'ambiguous':
      deps.err(`serial ${serial} was issued by several issuers; choose one with --issuer:`);
      for (const rec of r.records) deps.err(`  --issuer "${rec.issuer}"  (${rec.member})`);
      return 1;
  }
}

// Import from an OpenSSL CA database (index.txt + new_certs_dir), the record a CA run with
// `openssl ca` keeps of what it issued and revoked.
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { certFacts, parseCertificates, tryNormaliseSerial } from '../verify/cert-facts.js';
import type { CertStore } from './store.js';
import { parseReason, type RevocationReason } from './types.js';

export interface IndexEntry {
  status: 'V' | 'R' | 'E';
  serial: string;
  revokedAt: Date | null;
  reason: RevocationReason | null;
  subject: string;
  /** Expiry column; lets the importer tell expired entries that were never marked E. */
  notAfter: Date;
  /** Filename column; "unknown" in everything modern `openssl ca` writes. */
  filename: string;
}

export interface IndexError {
  line: number;
  message: string;
}

export interface ImportReport {
  entries: number;
  added: number;
  existing: number;
  revoked: number;
  alreadyRevoked: number;
  /** Serials whose certificate file was not found. */
  missing: string[];
  refused: { serial: string; message: string }[];
  /** Malformed index lines, skipped. */
  errors: IndexError[];
}

// UTCTime (YYMMDDHHMMSSZ, years 50-99 are 19xx per RFC 5280) or GeneralizedTime (YYYYMMDDHHMMSSZ).
function parseIndexTime(s: string): Date | null {
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (m === null) return null;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  const year = m[1]!.length === 2 ? (y >= 50 ? 1900 + y : 2000 + y) : y;
  const t = Date.UTC(year, mo - 1, d, h, mi, se);
  const back = new Date(t);
  // Reject rollover such as month 13 or 31 February.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null;
  return back;
}

export function parseOpensslIndex(text: string): { entries: IndexEntry[]; errors: IndexError[] } {
  const entries: IndexEntry[] = [];
  const errors: IndexError[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const fail = (message: string): void => void errors.push({ line, message });
    const f = raw.split('\t');
    if (f.length !== 6) return fail(`expected 6 tab-separated fields, found ${f.length}`);
    const [status, expiry, revocation, serialText, filename, subject] = f as [string, string, string, string, string, string];
    if (status !== 'V' && status !== 'R' && status !== 'E') return fail(`unknown status "${status}"`);
    const notAfter = parseIndexTime(expiry);
    if (notAfter === null) return fail(`bad expiry time "${expiry}"`);
    const serial = tryNormaliseSerial(serialText);
    if (serial === null) return fail(`bad serial "${serialText}"`);
    let revokedAt: Date | null = null;
    let reason: RevocationReason | null = null;
    if (status === 'R') {
      // "date[,reason[,compromise time or hold instruction OID]]"
      const [when = '', why] = revocation.split(',');
      revokedAt = parseIndexTime(when);
      if (revokedAt === null) return fail(`bad revocation time "${when}"`);
      if (why !== undefined) {
        reason = parseReason(why);
        if (reason === null) return fail(`unknown revocation reason "${why}"`);
      }
    } else if (revocation !== '') {
      return fail(`revocation field "${revocation}" on a ${status} entry`);
    }
    entries.push({ status, serial, revokedAt, reason, subject, notAfter, filename });
  });
  return { entries, errors };
}

const EXTENSIONS = ['.pem', '.crt', '.cer', '.der'];

/** I/O failures (unreadable directory or file) throw; everything about the data is reported. */
export async function importOpensslIndex(store: CertStore, indexText: string, certsDir: string, now: Date): Promise<ImportReport> {
  const { entries, errors } = parseOpensslIndex(indexText);
  const report: ImportReport = {
    entries: entries.length, added: 0, existing: 0, revoked: 0, alreadyRevoked: 0, missing: [], refused: [], errors,
  };
  // `openssl ca` names files <SERIAL>.pem; match case-insensitively since other tools lowercase.
  const files = new Map<string, string>();
  for (const name of readdirSync(certsDir)) files.set(name.toLowerCase(), name);

  // Files are read before the transaction so the write lock is held only for store work.
  const work: { entry: IndexEntry; der: Buffer }[] = [];
  for (const entry of entries) {
    const candidates = EXTENSIONS.map((ext) => files.get(`${entry.serial}${ext}`.toLowerCase()))
      .filter((n): n is string => n !== undefined)
      .map((n) => join(certsDir, n));
    if (entry.filename !== 'unknown' && entry.filename !== '') {
      candidates.unshift(isAbsolute(entry.filename) ? entry.filename : join(certsDir, entry.filename));
    }
    let path: string | undefined;
    let data: Buffer | undefined;
    for (const p of candidates) {
      try {
        data = readFileSync(p);
        path = p;
        break;
      } catch (e) {
        // Absent → try the next name; any other failure is an I/O problem worth stopping for.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    if (path === undefined || data === undefined) {
      report.missing.push(entry.serial);
      continue;
    }
    const der = parseCertificates(data).find((d) => {
      try {
        return certFacts(d).serial === entry.serial;
      } catch {
        return false;
      }
    });
    if (der === undefined) {
      report.refused.push({ serial: entry.serial, message: `${path} holds no certificate with serial ${entry.serial}` });
      continue;
    }
    work.push({ entry, der });
  }

  // One transaction: an import is recorded whole or not at all (a lost store connection included).
  await store.transaction(async (tx) => {
    for (const { entry, der } of work) {
      // History must be complete, so expired certificates are recorded too.
      const allowExpired = entry.status !== 'V' || entry.notAfter.getTime() < now.getTime();
      const added = await tx.add(der, now, { allowExpired });
      if (added.outcome === 'refused') {
        report.refused.push({ serial: entry.serial, message: added.message });
        continue;
      }
      report[added.outcome === 'added' ? 'added' : 'existing']++;
      if (entry.status !== 'R') continue;
      const r = await tx.revoke(entry.serial, entry.reason ?? 'unspecified', entry.revokedAt ?? now, added.record.issuer);
      if (r.outcome === 'revoked') report.revoked++;
      else if (r.outcome === 'already_revoked') report.alreadyRevoked++;
    }
  });
  return report;
}

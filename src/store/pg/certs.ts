// The certificate rules in SQL for PostgreSQL: the same outcomes, refusals and settling of the
// member's current certificate as sqlite-store.ts. Writes run inside a transaction that holds the
// store-wide write lock (see pg-store.ts), so each check-then-write below sees every earlier commit
// and the change sequence grows in commit order.
import type pg from 'pg';
import { tryNormaliseSerial } from '../../verify/cert-facts.js';
import { addStopped, admissible } from '../admission.js';
import { settleMember as settle } from '../supersede.js';
import type { AddOptions, ChangeSet } from '../store.js';
import { CERT_STATUSES, type AddOutcome, type CertRecord, type CertStatus, type RevocationReason, type RevokeOutcome } from '../types.js';
import { CERT_COLUMNS, type CertRow as Row, certRecord } from '../cert-row.js';

/** A write transaction in progress: the client holding the lock, and the seq its writes took. */
export interface Tx {
  client: pg.ClientBase;
  /** Seq of the last write in this transaction; null while it has written nothing. */
  seq: number | null;
}

type CertRow = Row<string>;

async function rows(q: pg.ClientBase | pg.Pool, where: string, params: unknown[], withDer = false): Promise<CertRow[]> {
  return (await q.query<CertRow>(`SELECT ${CERT_COLUMNS}${withDer ? ', der' : ''} FROM certgate_certs ${where}`, params)).rows;
}

async function bumpSeq(tx: Tx): Promise<number> {
  const r = await tx.client.query<{ value: string }>('UPDATE certgate_seq SET value = value + 1 RETURNING value');
  tx.seq = Number(r.rows[0]!.value);
  return tx.seq;
}

export async function addIn(tx: Tx, der: Buffer, now: Date, opts: AddOptions = {}): Promise<AddOutcome> {
  const facts = admissible(der);
  if ('outcome' in facts) return facts;
  const { member } = facts;
  const [existing] = await rows(tx.client, 'WHERE issuer = $1 AND serial = $2', [facts.issuer, facts.serial]);
  const stopped = addStopped(facts, existing, now, opts.allowExpired);
  if (stopped) return stopped;
  const seq = await bumpSeq(tx);
  const ins = await tx.client.query<{ id: string }>(
    `INSERT INTO certgate_certs (issuer, serial, fingerprint, member, subject, not_before, not_after, status,
       revocation_reason, revoked_at, superseded_by, added_at, seq, der)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'valid', NULL, NULL, NULL, $8, $9, $10) RETURNING id`,
    [facts.issuer, facts.serial, facts.fingerprint, member, facts.subject, facts.notBefore, facts.notAfter, now, seq, facts.der],
  );
  await settleMember(tx, member, seq);
  const [row] = await rows(tx.client, 'WHERE id = $1', [ins.rows[0]!.id]);
  return { outcome: 'added', record: certRecord(row!) };
}

/** Applies the one-current-certificate rule (../supersede.ts) to a member's rows. */
async function settleMember(tx: Tx, member: string, seq: number): Promise<void> {
  const changes = settle(await rows(tx.client, 'WHERE member = $1 ORDER BY not_before DESC, id DESC', [member]));
  for (const c of changes) await tx.client.query('UPDATE certgate_certs SET status = $1, superseded_by = $2, seq = $3 WHERE id = $4', [c.status, c.supersededBy, seq, c.id]);
}

export async function revokeIn(tx: Tx, serial: string, reason: RevocationReason, now: Date, issuer?: string): Promise<RevokeOutcome> {
  const s = tryNormaliseSerial(serial);
  if (s === null) return { outcome: 'not_found' };
  const found = issuer === undefined ? await rows(tx.client, 'WHERE serial = $1 ORDER BY id', [s]) : await rows(tx.client, 'WHERE issuer = $1 AND serial = $2', [issuer, s]);
  const [row] = found;
  if (row === undefined) return { outcome: 'not_found' };
  if (found.length > 1) return { outcome: 'ambiguous', records: found.map(certRecord) };
  if (row.status === 'revoked') return { outcome: 'already_revoked', record: certRecord(row) };
  const seq = await bumpSeq(tx);
  await tx.client.query("UPDATE certgate_certs SET status = 'revoked', revocation_reason = $1, revoked_at = $2, seq = $3 WHERE id = $4", [reason, now, seq, row.id]);
  const [after] = await rows(tx.client, 'WHERE id = $1', [row.id]);
  return { outcome: 'revoked', record: certRecord(after!) };
}

export async function getIn(q: pg.ClientBase | pg.Pool, issuer: string, serial: string): Promise<CertRecord | undefined> {
  const s = tryNormaliseSerial(serial);
  if (s === null) return undefined;
  const [row] = await rows(q, 'WHERE issuer = $1 AND serial = $2', [issuer, s]);
  return row && certRecord(row);
}

export async function listAll(q: pg.Pool): Promise<CertRecord[]> {
  return (await rows(q, 'ORDER BY member, not_before, id', [])).map(certRecord);
}

export async function byMember(q: pg.Pool, member: string): Promise<CertRecord[]> {
  return (await rows(q, 'WHERE member = $1 ORDER BY not_before DESC, id DESC', [member.trim().toLowerCase()])).map(certRecord);
}

export async function bySerial(q: pg.Pool, serial: string): Promise<CertRecord[]> {
  const s = tryNormaliseSerial(serial);
  return s === null ? [] : (await rows(q, 'WHERE serial = $1 ORDER BY id', [s])).map(certRecord);
}

export async function counts(q: pg.Pool): Promise<Record<CertStatus, number>> {
  const out = Object.fromEntries(CERT_STATUSES.map((s) => [s, 0])) as Record<CertStatus, number>;
  const r = await q.query<{ status: CertStatus; n: number }>('SELECT status, count(*)::int AS n FROM certgate_certs GROUP BY status');
  for (const row of r.rows) out[row.status] = row.n;
  return out;
}

export async function currentSeq(q: pg.ClientBase | pg.Pool): Promise<number> {
  const r = await q.query<{ value: string }>('SELECT value FROM certgate_seq');
  return Number(r.rows[0]!.value);
}

/** Rows and seq from one snapshot (REPEATABLE READ), so no commit can fall between them. */
export async function changesSince(client: pg.ClientBase, seq: number): Promise<ChangeSet> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const changed = await rows(client, 'WHERE seq > $1 ORDER BY seq, id', [seq], true);
    const now = await currentSeq(client);
    await client.query('COMMIT');
    return { rows: changed.map(certRecord), seq: now };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AccountingRecord } from '../../src/accounting/accounting-record.js';
import type { DisconnectResult } from '../../src/coa/disconnector.js';
import { createLogger } from '../../src/obs/log.js';
import { ClassTokens } from '../../src/sessions/class-token.js';
import { LiveSessions } from '../../src/sessions/live-sessions.js';
import { SessionDb } from '../../src/sessions/session-db.js';
import type { LiveSession } from '../../src/sessions/table.js';
import type { CertRecord, CertStatus } from '../../src/store/types.js';

const ISSUER = 'CN=Demo UPKI CA';
const cert = (serial: string, member: string, status: CertStatus = 'valid'): CertRecord => ({
  issuer: ISSUER,
  serial,
  fingerprint: serial,
  member,
  subject: member,
  notBefore: new Date(0),
  notAfter: new Date(4e12),
  status,
  revocationReason: status === 'revoked' ? 'keyCompromise' : null,
  revokedAt: null,
  supersededBy: null,
  addedAt: new Date(0),
  seq: 1,
});

function harness(opts: { answer?: (s: LiveSession) => DisconnectResult; file?: string; certs?: CertRecord[]; tokens?: ClassTokens } = {}) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('debug', new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(c.toString())), cb()) }));
  const certs = new Map((opts.certs ?? [cert('1001', 'alice@jaist.ac.jp')]).map((c) => [c.serial, c]));
  const sent: { id: string; at: number }[] = [];
  const counts: string[] = [];
  const tokens = opts.tokens ?? new ClassTokens(Buffer.alloc(32, 9));
  const live = new LiveSessions({
    limits: { max: 100, maxPerMember: 10, idleMs: 3_600_000 },
    tokens,
    certificates: {
      current: (m) => [...certs.values()].find((c) => c.member === m && c.status === 'valid'),
      lookup: (issuer, serial) => (issuer === ISSUER ? certs.get(serial) : undefined),
      syncedAt: new Date(),
    },
    disconnect: async (s) => {
      sent.push({ id: s.id, at: Date.now() });
      return { result: opts.answer?.(s) ?? { outcome: 'ack', attempts: 1 }, dest: { address: '127.0.0.1', port: 3799 } };
    },
    db: opts.file ? SessionDb.open(opts.file) : undefined,
    log,
    metrics: { ended: (why) => counts.push(`ended ${why}`), ignored: (why) => counts.push(`ignored ${why}`), disconnect: (t, o) => counts.push(`disconnect ${t} ${o}`) },
    now: () => new Date(),
  });
  const start = (serial: string, sessionId: string, member = 'alice@jaist.ac.jp'): AccountingRecord =>
    ({
      receivedAt: new Date().toISOString(),
      client: 'ap',
      nas: '127.0.0.1',
      statusType: 'Start',
      sessionId,
      userName: member,
      callingStationId: '02-00-00-00-00-01',
      nasIdentifier: 'ap-floor1',
      nasIpAddress: null,
      nasIpv6Address: null,
      framedIpAddress: null,
      class: [tokens.encode({ serial, issuer: ISSUER, member, issuedAt: new Date() }).toString('hex')],
      delaySeconds: null,
      sessionSeconds: null,
    }) as AccountingRecord;
  const settle = () => new Promise((r) => setTimeout(r, 10));
  return { live, lines, certs, sent, counts, start, settle, tokens };
}

describe('live sessions and Disconnect on revocation', () => {
  it('puts a Class token in each Accept that names the certificate', () => {
    const h = harness();
    const v = h.live.classValue({ result: 'accept', reason: 'ok', member: 'alice@jaist.ac.jp', serial: '1001', issuer: ISSUER });
    expect(h.tokens.decode(v!)).toMatchObject({ serial: '1001', member: 'alice@jaist.ac.jp' });
    expect(h.live.classValue({ result: 'accept', reason: 'ok', member: 'x', serial: null, issuer: null })).toBeUndefined();
  });

  it('disconnects every session of a revoked certificate, and the ACK ends them', async () => {
    const h = harness({ certs: [cert('1001', 'alice@jaist.ac.jp'), cert('2002', 'bob@jaist.ac.jp')] });
    h.live.onAccounting(h.start('1001', 'S1'));
    h.live.onAccounting(h.start('1001', 'S2'));
    h.live.onAccounting(h.start('2002', 'S3', 'bob@jaist.ac.jp'));
    expect(h.live.size).toBe(3);
    h.certs.set('1001', cert('1001', 'alice@jaist.ac.jp', 'revoked'));
    h.live.certificatesChanged([{ record: h.certs.get('1001')!, previous: 'valid' }]);
    await h.settle();
    expect(h.sent.length).toBe(2);
    expect(h.live.size).toBe(1);
    expect(h.live.forMember('bob@jaist.ac.jp').length).toBe(1);
    expect(h.counts.filter((c) => c.startsWith('disconnect'))).toEqual(['disconnect revoked ack', 'disconnect revoked ack']);
    const logged = h.lines.filter((l) => l.event === 'disconnect');
    expect(logged.map((l) => l.acctSessionId).sort()).toEqual(['S1', 'S2']);
    expect(logged[0]).toMatchObject({ trigger: 'revoked', outcome: 'ack', member: 'alice@jaist.ac.jp', serial: '1001', to: '127.0.0.1:3799', msg: 'disconnect: Disconnect-ACK, session ended' });
  });

  it('disconnects on superseded too, but not when a certificate becomes valid', async () => {
    const h = harness();
    h.live.onAccounting(h.start('1001', 'S1'));
    h.live.certificatesChanged([{ record: cert('1001', 'alice@jaist.ac.jp', 'valid'), previous: 'superseded' }]);
    await h.settle();
    expect(h.sent.length).toBe(0);
    h.live.certificatesChanged([{ record: cert('1001', 'alice@jaist.ac.jp', 'superseded'), previous: 'valid' }]);
    await h.settle();
    expect(h.counts).toContain('disconnect superseded ack');
  });

  it('disconnects the sessions of certificates a new CRL or an OCSP answer revokes (revoked_crl, revoked_ocsp)', async () => {
    const h = harness({ certs: [cert('1001', 'alice@jaist.ac.jp'), cert('2002', 'bob@jaist.ac.jp'), cert('3003', 'carol@jaist.ac.jp')] });
    h.live.onAccounting(h.start('1001', 'S1'));
    h.live.onAccounting(h.start('2002', 'S2', 'bob@jaist.ac.jp'));
    h.live.onAccounting(h.start('3003', 'S3', 'carol@jaist.ac.jp'));
    const onCrl = new Set(['1001', '9999']);
    // Another issuer's CRL listing the same serial ends nothing.
    expect(h.live.revokedElsewhere({ source: 'crl', issuer: 'CN=Other CA', isRevoked: (s) => onCrl.has(s) })).toBe(0);
    expect(h.live.revokedElsewhere({ source: 'crl', issuer: ISSUER, isRevoked: (s) => onCrl.has(s) })).toBe(1);
    expect(h.live.revokedElsewhere({ source: 'ocsp', issuer: ISSUER, serial: '2002' })).toBe(1);
    await h.settle();
    expect(h.counts.filter((c) => c.startsWith('disconnect')).sort()).toEqual(['disconnect revoked_crl ack', 'disconnect revoked_ocsp ack']);
    expect(h.lines.filter((l) => l.event === 'disconnect').map((l) => `${l.acctSessionId}:${l.trigger}`).sort()).toEqual(['S1:revoked_crl', 'S2:revoked_ocsp']);
    expect(h.live.size).toBe(1);
    expect(h.live.forMember('carol@jaist.ac.jp').length).toBe(1);
  });

  it('logs a NAK with its Error-Cause; 503 ends the session, others keep it', async () => {
    const h = harness({ answer: (s) => ({ outcome: 'nak', attempts: 1, errorCause: s.acctSessionId === 'S1' ? 503 : 504, errorCauseName: s.acctSessionId === 'S1' ? 'Session Context Not Found' : 'Session Context Not Removable' }) });
    h.live.onAccounting(h.start('1001', 'S1'));
    h.live.onAccounting(h.start('1001', 'S2'));
    const reports = await h.live.disconnectMember('alice@jaist.ac.jp');
    expect(reports.map((r) => [r.session.acctSessionId, r.outcome, r.errorCause, r.ended]).sort()).toEqual([
      ['S1', 'nak', 503, true],
      ['S2', 'nak', 504, false],
    ]);
    expect(h.live.forMember('alice@jaist.ac.jp').map((s) => s.acctSessionId)).toEqual(['S2']);
    const nak = h.lines.find((l) => l.event === 'disconnect' && l.errorCause === 504)!;
    expect(nak).toMatchObject({ level: 40, outcome: 'nak', errorCauseName: 'Session Context Not Removable', trigger: 'admin' });
    expect(String(nak.msg)).toContain('Error-Cause 504');
  });

  it('logs a silent NAS after the retries and keeps the session', async () => {
    const h = harness({ answer: () => ({ outcome: 'no_answer', attempts: 3 }) });
    h.live.onAccounting(h.start('1001', 'S1'));
    const [r] = await h.live.disconnectMember('alice@jaist.ac.jp');
    expect(r).toMatchObject({ outcome: 'no_answer', attempts: 3, ended: false });
    expect(h.lines.find((l) => l.event === 'disconnect')).toMatchObject({ outcome: 'no_answer', msg: 'disconnect: no answer from the NAS after 3 attempts' });
    expect(h.live.size).toBe(1);
  });

  it('sends one Disconnect at a time per session', async () => {
    const h = harness();
    h.live.onAccounting(h.start('1001', 'S1'));
    const [a, b] = await Promise.all([h.live.disconnectMember('alice@jaist.ac.jp'), h.live.disconnectMember('alice@jaist.ac.jp')]);
    expect(a).toEqual(b);
    expect(h.sent.length).toBe(1);
  });

  it('disconnects at once a session whose certificate is out of force when its accounting arrives', async () => {
    const h = harness({ certs: [cert('1001', 'alice@jaist.ac.jp', 'superseded'), cert('1002', 'alice@jaist.ac.jp')] });
    h.live.onAccounting(h.start('1001', 'S1'));
    await h.settle();
    expect(h.counts).toContain('disconnect not_in_force ack');
  });

  it('asks again when a session of a revoked certificate is still reported (interim update)', async () => {
    const h = harness({ answer: () => ({ outcome: 'no_answer', attempts: 3 }) });
    h.live.onAccounting(h.start('1001', 'S1'));
    h.certs.set('1001', cert('1001', 'alice@jaist.ac.jp', 'revoked'));
    h.live.certificatesChanged([{ record: h.certs.get('1001')!, previous: 'valid' }]);
    await h.settle();
    h.live.onAccounting({ ...h.start('1001', 'S1'), statusType: 'Interim-Update' });
    await h.settle();
    expect(h.counts.filter((c) => c.startsWith('disconnect'))).toEqual(['disconnect revoked no_answer', 'disconnect not_in_force no_answer']);
  });

  it('keeps sessions across a restart, and ends those revoked while it was down', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'certgate-live-')), 'sessions.db');
    const key = new ClassTokens(Buffer.alloc(32, 1));
    const first = harness({ file, tokens: key, certs: [cert('1001', 'alice@jaist.ac.jp'), cert('2002', 'bob@jaist.ac.jp')] });
    first.live.onAccounting(first.start('1001', 'S1'));
    first.live.onAccounting(first.start('2002', 'S2', 'bob@jaist.ac.jp'));
    first.live.close();
    const second = harness({ file, tokens: key, certs: [cert('1001', 'alice@jaist.ac.jp', 'revoked'), cert('2002', 'bob@jaist.ac.jp')] });
    expect(second.live.size).toBe(2);
    expect(second.lines.find((l) => l.msg === 'live sessions loaded')).toMatchObject({ sessions: 2 });
    expect(second.live.reconcile()).toBe(1);
    await second.settle();
    expect(second.counts).toContain('disconnect not_in_force ack');
    expect(second.live.list(10).map((s) => s.member)).toEqual(['bob@jaist.ac.jp']);
    second.live.close();
    const third = harness({ file, tokens: key });
    expect(third.live.list(10).map((s) => s.acctSessionId)).toEqual(['S2']);
    third.live.close();
  });

  it('drops unreadable rows of the sessions file, says so, and keeps the rest', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'certgate-live-')), 'sessions.db');
    const first = harness({ file });
    first.live.onAccounting(first.start('1001', 'S1'));
    first.live.close();
    const raw = new Database(file);
    raw.prepare('INSERT INTO sessions (id, updated_at, data) VALUES (?, ?, ?)').run('junk', Date.now(), '{"not": "a session"');
    raw.close();
    const second = harness({ file });
    expect(second.live.size).toBe(1);
    expect(second.lines.find((l) => l.msg === 'live sessions loaded')).toMatchObject({ sessions: 1, dropped: 1, unreadable: 1 });
    second.live.close();
    const check = new Database(file);
    expect(check.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 1 });
    check.close();
  });
});

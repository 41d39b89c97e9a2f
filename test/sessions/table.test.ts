import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccountingRecord } from '../../src/accounting/accounting-record.js';
import { ClassTokens, issuerHash } from '../../src/sessions/class-token.js';
import { SessionDb } from '../../src/sessions/session-db.js';
import { type LiveSession, SessionTable } from '../../src/sessions/table.js';
import { SessionTracker, sessionId } from '../../src/sessions/tracker.js';

const ISSUER = 'CN=Demo UPKI CA';
const session = (id: string, member: string, updatedAt: number, serial = '1001'): LiveSession => ({
  id,
  member,
  userName: member,
  cert: { serial, issuerHash: issuerHash(ISSUER), issuer: ISSUER },
  boundBy: 'class',
  client: 'ap',
  nas: '10.0.0.1',
  nasIdentifier: null,
  nasIpAddress: null,
  nasIpv6Address: null,
  acctSessionId: id,
  callingStationId: null,
  framedIpAddress: null,
  startedAt: updatedAt,
  updatedAt,
});

describe('session table', () => {
  it('indexes by member and certificate, newest first', () => {
    const t = new SessionTable({ max: 10, maxPerMember: 10, idleMs: 1000 });
    t.upsert(session('a', 'alice@x', 1));
    t.upsert(session('b', 'alice@x', 2, '1002'));
    t.upsert(session('c', 'bob@x', 3));
    expect(t.forMember('ALICE@x').map((s) => s.id)).toEqual(['b', 'a']);
    expect(t.forCertificate('1001', issuerHash(ISSUER)).map((s) => s.id)).toEqual(['c', 'a']);
    expect(t.forCertificate('1001', issuerHash('CN=Other')).length).toBe(0);
    t.remove('a');
    expect(t.forCertificate('1001', issuerHash(ISSUER)).map((s) => s.id)).toEqual(['c']);
    expect(t.list().map((s) => s.id)).toEqual(['c', 'b']);
  });

  it('stays within the total limit: the least recently updated goes', () => {
    const t = new SessionTable({ max: 3, maxPerMember: 10, idleMs: 1000 });
    for (const [i, id] of ['a', 'b', 'c'].entries()) t.upsert(session(id, `${id}@x`, i));
    t.upsert(session('a', 'a@x', 10)); // an update makes "a" the newest
    expect(t.upsert(session('d', 'd@x', 11)).map((s) => s.id)).toEqual(['b']);
    expect(t.size).toBe(3);
    expect(t.list().map((s) => s.id)).toEqual(['d', 'a', 'c']);
  });

  it('stays within the per-member limit without touching other members', () => {
    const t = new SessionTable({ max: 100, maxPerMember: 2, idleMs: 1000 });
    t.upsert(session('x', 'bob@x', 0));
    t.upsert(session('a1', 'alice@x', 1));
    t.upsert(session('a2', 'alice@x', 2));
    expect(t.upsert(session('a3', 'alice@x', 3)).map((s) => s.id)).toEqual(['a1']);
    expect(t.forMember('alice@x').map((s) => s.id)).toEqual(['a3', 'a2']);
    expect(t.get('x')).toBeDefined();
  });

  it('expires sessions without an update for idleMs, and only those', () => {
    const t = new SessionTable({ max: 100, maxPerMember: 100, idleMs: 1000 });
    t.upsert(session('a', 'a@x', 0));
    t.upsert(session('b', 'b@x', 500));
    t.upsert(session('c', 'c@x', 900));
    t.upsert(session('a', 'a@x', 950)); // refreshed by an interim update
    expect(t.sweep(1600).map((s) => s.id)).toEqual(['b']);
    expect(t.sweep(1600)).toEqual([]);
    expect(t.sweep(2000).map((s) => s.id)).toEqual(['c', 'a']);
    expect(t.size).toBe(0);
  });

  it('remembers changed ids for write-behind', () => {
    const t = new SessionTable({ max: 10, maxPerMember: 10, idleMs: 1000 });
    t.upsert(session('a', 'a@x', 0));
    t.upsert(session('b', 'b@x', 0));
    t.remove('a');
    expect(t.takeDirty().sort()).toEqual(['a', 'b']);
    expect(t.takeDirty()).toEqual([]);
  });
});

describe('session file', () => {
  it('keeps sessions and the class key across reopening', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'certgate-sessions-')), 'sessions.db');
    const db = SessionDb.open(file);
    const key = db.classKey();
    db.write([{ id: 'a', session: session('a', 'a@x', 5) }, { id: 'b', session: session('b', 'b@x', 1) }]);
    db.write([{ id: 'b', session: undefined }, { id: 'c', session: session('c', 'c@x', 3) }]);
    db.close();
    const again = SessionDb.open(file);
    expect(again.classKey().equals(key)).toBe(true);
    expect(again.load()).toEqual({ sessions: [session('c', 'c@x', 3), session('a', 'a@x', 5)], unreadable: [] });
    again.close();
  });
});

describe('accounting → sessions', () => {
  const tokens = new ClassTokens(Buffer.alloc(32, 3));
  const record = (over: Partial<AccountingRecord>): AccountingRecord => ({
    receivedAt: '2026-11-25T07:00:00.000Z',
    client: 'ap',
    nas: '10.0.0.1',
    statusType: 'Start',
    sessionId: 'S1',
    multiSessionId: null,
    userName: 'alice@jaist.ac.jp',
    callingStationId: '02-00-00-00-00-01',
    calledStationId: null,
    nasIdentifier: 'ap-floor1',
    nasIpAddress: '10.0.0.1',
    nasIpv6Address: null,
    nasPort: null,
    framedIpAddress: null,
    class: [],
    cui: null,
    operatorName: null,
    eventTime: null,
    delaySeconds: null,
    sessionSeconds: null,
    inputOctets: null,
    outputOctets: null,
    inputPackets: null,
    outputPackets: null,
    terminateCause: null,
    ...over,
  });
  const setup = (current: Record<string, { serial: string; issuer: string }> = {}) => {
    const table = new SessionTable({ max: 100, maxPerMember: 10, idleMs: 3_600_000 });
    const events: string[] = [];
    const tracker = new SessionTracker({
      table,
      tokens,
      currentCertificate: (m) => current[m],
      observer: { started: (s, how) => events.push(`start ${s.id} ${how}`), updated: (s) => events.push(`update ${s.id}`), ended: (s, why) => events.push(`end ${s.id} ${why}`), ignored: (why) => events.push(`ignored ${why}`) },
    });
    return { table, tracker, events };
  };
  const token = (serial: string, member: string | null = 'alice@jaist.ac.jp') => tokens.encode({ serial, issuer: ISSUER, member, issuedAt: new Date() }).toString('hex');

  it('ties a session to the certificate in our Class token, ignoring foreign Class values', () => {
    const { table, tracker } = setup({ 'alice@jaist.ac.jp': { serial: '1001', issuer: ISSUER } });
    tracker.onAccounting(record({ class: [Buffer.from('student').toString('hex'), token('1001')] }));
    const id = sessionId(record({}), 'S1');
    expect(table.get(id)).toMatchObject({ member: 'alice@jaist.ac.jp', cert: { serial: '1001', issuer: ISSUER }, boundBy: 'class', acctSessionId: 'S1', nasIdentifier: 'ap-floor1', callingStationId: '02-00-00-00-00-01' });
  });

  it('takes the member from the token when the NAS reports another User-Name', () => {
    const { table, tracker } = setup();
    tracker.onAccounting(record({ userName: 'anonymous@jaist.ac.jp', class: [token('0ABC')] }));
    expect(table.forMember('alice@jaist.ac.jp')[0]).toMatchObject({ userName: 'anonymous@jaist.ac.jp', cert: { serial: '0ABC', issuer: null } });
  });

  it('without a token, ties it to the member current certificate at Start; unknown members are not tracked', () => {
    const { table, tracker, events } = setup({ 'alice@jaist.ac.jp': { serial: '1001', issuer: ISSUER } });
    tracker.onAccounting(record({ userName: 'Alice@JAIST.ac.jp' }));
    expect(table.forMember('alice@jaist.ac.jp')[0]).toMatchObject({ boundBy: 'current_certificate', cert: { serial: '1001', issuer: ISSUER } });
    tracker.onAccounting(record({ userName: 'visitor@other.ac.jp', sessionId: 'S2' }));
    expect(events).toContain('ignored unknown_member');
    expect(table.size).toBe(1);
  });

  it('updates on Interim-Update (creating a session it missed), ends on Stop, clears a NAS on Accounting-On', () => {
    const { table, tracker, events } = setup({ 'alice@jaist.ac.jp': { serial: '1001', issuer: ISSUER } });
    tracker.onAccounting(record({ statusType: 'Interim-Update', sessionSeconds: 600, receivedAt: '2026-11-25T07:10:00.000Z' }));
    const id = sessionId(record({}), 'S1');
    expect(table.get(id)).toMatchObject({ startedAt: Date.parse('2026-11-25T07:00:00.000Z'), updatedAt: Date.parse('2026-11-25T07:10:00.000Z') });
    tracker.onAccounting(record({ statusType: 'Interim-Update', receivedAt: '2026-11-25T07:20:00.000Z', callingStationId: null }));
    expect(table.get(id)).toMatchObject({ startedAt: Date.parse('2026-11-25T07:00:00.000Z'), updatedAt: Date.parse('2026-11-25T07:20:00.000Z'), callingStationId: '02-00-00-00-00-01' });
    tracker.onAccounting(record({ statusType: 'Stop' }));
    expect(table.size).toBe(0);
    tracker.onAccounting(record({ sessionId: 'S3' }));
    tracker.onAccounting(record({ sessionId: 'S4', nas: '10.0.0.2' }));
    tracker.onAccounting(record({ statusType: 'Accounting-On', sessionId: null, userName: null }));
    expect(table.list().map((s) => s.nas)).toEqual(['10.0.0.2']);
    expect(events.filter((e) => e.startsWith('end')).map((e) => e.split(' ')[2])).toEqual(['stopped', 'nas_restarted']);
    tracker.onAccounting(record({ sessionId: null }));
    tracker.onAccounting(record({ userName: null }));
    tracker.onAccounting(record({ statusType: 'Failed' }));
    expect(events.slice(-3)).toEqual(['ignored no_session_id', 'ignored no_user_name', 'ignored status_type']);
  });

  it('goes back from Acct-Delay-Time to when the session started', () => {
    const { table, tracker } = setup({ 'alice@jaist.ac.jp': { serial: '1001', issuer: ISSUER } });
    tracker.onAccounting(record({ delaySeconds: 30 }));
    expect(table.list()[0]!.startedAt).toBe(Date.parse('2026-11-25T06:59:30.000Z'));
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountingEvents } from '../../src/accounting/accounting-events.js';
import { accountingHandler } from '../../src/accounting/accounting-handler.js';
import { accountingSink } from '../../src/accounting/accounting-log.js';
import { type AccountingRecord, accountingRecord, statusLabel } from '../../src/accounting/accounting-record.js';
import type { ClientConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/obs/log.js';
import { Code, type RadiusPacket } from '../../src/radius/packet.js';
import { attr } from '../../src/radius/serializer.js';

const stop: RadiusPacket = {
  code: Code.AccountingRequest,
  identifier: 9,
  authenticator: Buffer.alloc(16),
  attributes: [
    attr(40, 2),
    attr(44, 'sess-1'),
    attr(1, 'alice@jaist.ac.jp'),
    attr(31, '02-00-00-00-00-01'),
    attr(30, 'AA-BB-CC-DD-EE-FF:eduroam'),
    attr(4, Buffer.from([10, 0, 0, 1])),
    attr(32, 'ap-1'),
    attr(25, Buffer.from([1, 2, 3])),
    attr(46, 3600),
    attr(42, 5),
    attr(52, 1),
    attr(43, 7),
    attr(47, 11),
    attr(48, 13),
    attr(49, 1),
    attr(55, 1_700_000_000),
    attr(89, 'cui-value'),
  ],
};
const facts = { client: 'ap', nas: '127.0.0.1', receivedAt: new Date('2026-01-02T03:04:05Z') };

describe('accounting records (RFC 2866)', () => {
  it('parses the attributes into a typed record, gigawords folded in', () => {
    expect(accountingRecord(stop, facts)).toEqual({
      receivedAt: '2026-01-02T03:04:05.000Z',
      client: 'ap',
      nas: '127.0.0.1',
      statusType: 'Stop',
      sessionId: 'sess-1',
      multiSessionId: null,
      userName: 'alice@jaist.ac.jp',
      callingStationId: '02-00-00-00-00-01',
      calledStationId: 'AA-BB-CC-DD-EE-FF:eduroam',
      nasIdentifier: 'ap-1',
      nasIpAddress: '10.0.0.1',
      nasIpv6Address: null,
      nasPort: null,
      framedIpAddress: null,
      class: ['010203'],
      cui: 'cui-value',
      operatorName: null,
      eventTime: '2023-11-14T22:13:20.000Z',
      delaySeconds: null,
      sessionSeconds: 3600,
      inputOctets: 2 ** 32 + 5,
      outputOctets: 7,
      inputPackets: 11,
      outputPackets: 13,
      terminateCause: 'User-Request',
    });
    expect(statusLabel('Interim-Update')).toBe('interim_update');
    expect(statusLabel('99')).toBe('other');
    expect(statusLabel(null)).toBe('other');
  });

  it('writes a JSON line, tells subscribers, then answers; an unwritable file means no answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certgate-acct-'));
    const file = join(dir, 'acct.jsonl');
    const log = createLogger('silent');
    const seen: AccountingRecord[] = [];
    const events = new AccountingEvents(() => undefined);
    const off = events.subscribe((r) => seen.push(r));
    events.subscribe(() => {
      throw new Error('a broken subscriber does not stop the answer');
    });
    const counted: string[] = [];
    const client = { name: 'ap', secret: Buffer.from('s') } as ClientConfig;
    const handle = accountingHandler(accountingSink(file, log), events, { recorded: (s) => counted.push(s), failed: () => counted.push('failed') });
    const r = await handle({ client, packet: stop, source: { address: '127.0.0.1', port: 1 }, receivedAt: facts.receivedAt });
    expect(r).toEqual({ code: Code.AccountingResponse, attributes: [] });
    const line = JSON.parse(readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ event: 'accounting', statusType: 'Stop', sessionId: 'sess-1', userName: 'alice@jaist.ac.jp' });
    expect(seen).toHaveLength(1);
    off();
    const bad = accountingHandler(accountingSink(join(dir, 'missing', 'acct.jsonl'), log), events, { recorded: (s) => counted.push(s), failed: () => counted.push('failed') });
    expect(await bad({ client, packet: stop, source: { address: '127.0.0.1', port: 1 }, receivedAt: facts.receivedAt })).toEqual({ drop: 'accounting_not_recorded' });
    expect(counted).toEqual(['stop', 'failed']);
    expect(seen).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { loginChart } from '../../../src/http/console/chart.js';
import { daysLeft, expiringSoon, loginsPerMinute, revocationHealth, topRejectReasons } from '../../../src/http/console/overview-data.js';
import { NOW, decision, record } from './fixtures.js';

const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe('overview data', () => {
  const ds = [
    decision({ time: ago(10_000), result: 'accept', reason: 'ok' }),
    decision({ time: ago(20_000), reason: 'superseded' }),
    decision({ time: ago(5 * 60_000), reason: 'superseded' }),
    decision({ time: ago(6 * 60_000), reason: 'expired' }),
    decision({ time: ago(2 * 3_600_000), reason: 'expired' }), // outside the hour
  ];

  it('buckets logins per minute for the last hour, oldest first', () => {
    const b = loginsPerMinute(ds, NOW);
    expect(b).toHaveLength(60);
    expect(b[59]!.start.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(b[58]).toMatchObject({ accept: 1, reject: 1 });
    expect(b.reduce((n, x) => n + x.accept + x.reject, 0)).toBe(4);
  });

  it('ranks reject reasons of the last hour', () => {
    expect(topRejectReasons(ds, NOW)).toEqual([
      { reason: 'superseded', count: 2 },
      { reason: 'expired', count: 1 },
    ]);
  });

  it('lists valid certificates expiring within 30 days, soonest first', () => {
    const day = 86_400_000;
    const rs = [
      record({ serial: '1', member: 'a@x', notAfter: new Date(NOW.getTime() + 20 * day) }),
      record({ serial: '2', member: 'b@x', notAfter: new Date(NOW.getTime() + 3 * day) }),
      record({ serial: '3', member: 'c@x', notAfter: new Date(NOW.getTime() + 40 * day) }),
      record({ serial: '4', member: 'd@x', notAfter: new Date(NOW.getTime() + 3 * day), status: 'revoked' }),
      record({ serial: '5', member: 'e@x', notAfter: new Date(NOW.getTime() - day) }),
    ];
    expect(expiringSoon(rs, NOW).map((r) => r.serial)).toEqual(['2', '1']);
    expect(daysLeft(rs[0]!.notAfter, NOW)).toBe(20);
    expect(daysLeft(rs[4]!.notAfter, NOW)).toBe(-1);
  });

  it('CRL and OCSP health: state, and the refusals each caused', () => {
    expect(revocationHealth({ crl: null, ocsp: null }, [{ reason: 'superseded', count: 3 }])).toEqual([
      { name: 'CRL', state: null, refused: [] },
      { name: 'OCSP', state: null, refused: [] },
    ]);
    const top = [{ reason: 'ocsp_unavailable', count: 4 }, { reason: 'crl_stale', count: 2 }, { reason: 'expired', count: 1 }];
    expect(revocationHealth({ crl: 'fresh', ocsp: 'on' }, top)).toEqual([
      { name: 'CRL', state: 'fresh', refused: [{ reason: 'crl_stale', count: 2 }] },
      { name: 'OCSP', state: 'on', refused: [{ reason: 'ocsp_unavailable', count: 4 }] },
    ]);
  });

  it('draws the chart as SVG with one titled bar group per minute', () => {
    const svg = loginChart(loginsPerMinute(ds, NOW)).text;
    expect(svg.match(/<g><title data-minute="[^"]+">/g)).toHaveLength(60);
    expect(svg).toContain('<title data-minute="2026-11-20T09:59:00.000Z">09:59 UTC: 1 accepted, 1 refused</title>');
    expect(svg).toMatch(/class="accept"/);
    expect(svg).toMatch(/class="reject"/);
    expect(svg).not.toMatch(/style=/);
  });
});

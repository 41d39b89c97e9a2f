// The console's own tables are bounded and expire; time is passed in.
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { operatorName, safeNext } from '../../../src/http/console/auth.js';
import { parseCookies, serializeCookie } from '../../../src/http/console/cookies.js';
import { LoginLimiter } from '../../../src/http/console/login-limiter.js';
import { sameOrigin } from '../../../src/http/console/same-origin.js';
import { SessionTable } from '../../../src/http/console/session-table.js';

const T0 = new Date('2026-11-20T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('SessionTable', () => {
  it('finds a session by its id, and keeps only a digest of it', () => {
    const t = new SessionTable({ max: 10, idleMs: 60_000, maxAgeMs: 3_600_000 });
    const { id, session } = t.create('Hanako', 'digest', T0);
    expect(t.get(id, at(1000))).toBe(session);
    expect(t.get(`${id}x`, at(1000))).toBeUndefined();
    expect(JSON.stringify([...(t as unknown as { byDigest: Map<string, unknown> }).byDigest.keys()])).not.toContain(id);
  });

  it('expires idle sessions and old sessions', () => {
    const t = new SessionTable({ max: 10, idleMs: 60_000, maxAgeMs: 150_000 });
    const a = t.create('a', 'd', T0).id;
    expect(t.get(a, at(59_000))).toBeDefined();
    expect(t.get(a, at(118_000))).toBeDefined(); // used within the idle limit each time
    expect(t.get(a, at(151_000))).toBeUndefined(); // but never past the absolute limit
    const b = t.create('b', 'd', T0).id;
    expect(t.get(b, at(61_000))).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('is bounded: the least recently used session goes first', () => {
    const t = new SessionTable({ max: 3, idleMs: 60_000, maxAgeMs: 3_600_000 });
    const ids = [0, 1, 2].map((i) => t.create(`op${i}`, 'd', at(i)).id);
    t.get(ids[0]!, at(10)); // op0 used again: op1 is now the least recently used
    const d = t.create('op3', 'd', at(20)).id;
    expect(t.size).toBe(3);
    expect(t.get(ids[1]!, at(21))).toBeUndefined();
    for (const id of [ids[0]!, ids[2]!, d]) expect(t.get(id, at(21))).toBeDefined();
  });
});

describe('LoginLimiter', () => {
  it('refuses after 5 failures within a minute, until the minute is over', () => {
    const l = new LoginLimiter();
    for (let i = 0; i < 4; i++) l.fail('10.0.0.1', at(i * 1000));
    expect(l.retryAfter('10.0.0.1', at(5000))).toBe(0);
    l.fail('10.0.0.1', at(5000));
    expect(l.retryAfter('10.0.0.1', at(5000))).toBe(55); // the window began with the first failure
    expect(l.retryAfter('10.0.0.2', at(5000))).toBe(0);
    expect(l.retryAfter('10.0.0.1', at(60_001))).toBe(0);
    expect(l.size).toBe(0);
  });

  it('forgets an address after a good login', () => {
    const l = new LoginLimiter();
    for (let i = 0; i < 4; i++) l.fail('a', T0);
    l.succeed('a');
    l.fail('a', T0);
    expect(l.retryAfter('a', T0)).toBe(0);
  });

  it('is bounded', () => {
    const l = new LoginLimiter({ maxFailures: 5, windowMs: 60_000, maxEntries: 100 });
    for (let i = 0; i < 1000; i++) l.fail(`10.0.${i >> 8}.${i & 255}`, at(i));
    expect(l.size).toBeLessThanOrEqual(100);
  });
});

describe('cookies and request checks', () => {
  it('serializes the cookie flags', () => {
    expect(serializeCookie('certgate_console', 'abc', { secure: false, maxAge: 60 })).toBe('certgate_console=abc; Path=/console; Max-Age=60; HttpOnly; SameSite=Strict');
    expect(serializeCookie('certgate_console', 'abc', { secure: true, maxAge: 60 })).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    expect(parseCookies('a=1; certgate_console=xyz; a=2')).toEqual(new Map([['a', '1'], ['certgate_console', 'xyz']]));
  });

  it('accepts only same-origin POSTs (Origin, or Sec-Fetch-Site when Origin is "null")', () => {
    const req = (headers: Record<string, string>) => ({ headers: { host: 'gw.jaist.ac.jp:8443', ...headers } }) as unknown as http.IncomingMessage;
    expect(sameOrigin(req({}), true)).toBe(true);
    expect(sameOrigin(req({ origin: 'https://gw.jaist.ac.jp:8443', 'sec-fetch-site': 'same-origin' }), true)).toBe(true);
    expect(sameOrigin(req({ origin: 'http://gw.jaist.ac.jp:8443' }), true)).toBe(false);
    expect(sameOrigin(req({ origin: 'https://evil.example' }), true)).toBe(false);
    expect(sameOrigin(req({ origin: 'null', 'sec-fetch-site': 'same-origin' }), true)).toBe(true);
    expect(sameOrigin(req({ origin: 'null' }), true)).toBe(false);
    expect(sameOrigin(req({ 'sec-fetch-site': 'same-site' }), true)).toBe(false);
  });

  it('keeps operator names printable and short, and `next` inside the console', () => {
    expect(operatorName('  Hanako \n Yamada ')).toBe('Hanako Yamada');
    expect(operatorName('a\u0000b\u202e')).toBe('ab');
    expect(operatorName('x'.repeat(65))).toBeNull();
    expect(operatorName('')).toBeNull();
    expect(safeNext('/console/members/a%40b')).toBe('/console/members/a%40b');
    for (const bad of ['https://evil.example', '//evil.example', '/console//evil', '/consolex', '/console/\\evil', null]) expect(safeNext(bad)).toBe('/console');
  });
});

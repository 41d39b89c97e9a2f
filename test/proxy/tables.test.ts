// The proxy's bounded tables and pure helpers, with time passed in.
import { describe, expect, it } from 'vitest';
import { ConversationMap } from '../../src/proxy/conversation-map.js';
import { IdSpace } from '../../src/proxy/id-space.js';
import { Liveness } from '../../src/proxy/liveness.js';
import { RealmRouter, checkNai } from '../../src/proxy/realm-router.js';
import { StreamFramer } from '../../src/proxy/stream-framer.js';

describe('IdSpace', () => {
  it('hands out 256 distinct identifiers, then none; rotates instead of reusing a freed one at once', () => {
    const ids = new IdSpace();
    const got = Array.from({ length: 256 }, () => ids.take());
    expect(new Set(got).size).toBe(256);
    expect(ids.take()).toBeUndefined();
    expect(ids.full).toBe(true);
    ids.release(10);
    expect(ids.take()).toBe(10);
    const fresh = new IdSpace();
    const a = fresh.take()!;
    fresh.release(a);
    expect(fresh.take()).not.toBe(a);
    expect(fresh.size).toBe(1);
  });
});

describe('ConversationMap', () => {
  it('expires idle entries and evicts the oldest past its limit', () => {
    const m = new ConversationMap<{ lastSeen: number; v: string }>({ max: 2, idleMs: 1000 });
    m.set('a', { lastSeen: 0, v: 'a' }, 0);
    m.set('b', { lastSeen: 0, v: 'b' }, 100);
    m.set('c', { lastSeen: 0, v: 'c' }, 200);
    expect(m.size).toBe(2);
    expect(m.evicted).toBe(1);
    expect(m.get('a', 300)).toBeUndefined();
    expect(m.get('b', 1099)?.v).toBe('b');
    expect(m.get('b', 1100)).toBeUndefined();
    expect(m.sweep(5000)).toBe(1);
    expect(m.size).toBe(0);
  });
});

describe('Liveness', () => {
  it('dies on an unanswered request, is probed once per interval, and revives on an answer', () => {
    const l = new Liveness(1000);
    expect(l.probeDue(0)).toBe(false);
    expect(l.unanswered(5000)).toBe(true);
    expect(l.unanswered(5001)).toBe(false);
    expect(l.up).toBe(false);
    expect(l.probeDue(5500)).toBe(false);
    expect(l.probeDue(6000)).toBe(true);
    expect(l.probeDue(6100)).toBe(false);
    expect(l.downFor(6100)).toBe(1100);
    expect(l.answered()).toBe(true);
    expect(l.up).toBe(true);
    expect(l.answered()).toBe(false);
  });
});

describe('realm routing', () => {
  it('checks the NAI: realm present, well-formed, lowercased', () => {
    expect(checkNai('Alice@JAIST.ac.jp')).toEqual({ ok: true, realm: 'jaist.ac.jp' });
    expect(checkNai('@example.ac.jp')).toEqual({ ok: true, realm: 'example.ac.jp' });
    expect(checkNai('a#b@example.ac.jp')).toEqual({ ok: true, realm: 'example.ac.jp' });
    for (const [id, detail] of [
      ['', 'empty'],
      ['alice', 'no realm'],
      ['alice@', 'empty realm'],
      ['a@b@c.jp', "more than one '@'"],
      ['a\u0000@c.jp', 'control characters'],
      ['a@exa_mple.jp', 'not a valid realm'],
      ['a@example.', 'not a valid realm'],
      ['a@localhost', 'not a valid realm'],
      ['a@ex..ample.jp', 'not a valid realm'],
      ['a\tb@example.jp', 'control characters'],
    ] as const) {
      const r = checkNai(id);
      expect(r.ok, id).toBe(false);
      expect(!r.ok && r.detail, id).toContain(detail);
    }
  });

  it('routes exact realms first, then "*"; our realms and their subdomains stay local', () => {
    const r = new RealmRouter(() => ['jaist.ac.jp'], ['example.ac.jp', '*']);
    expect(r.route('a@example.ac.jp')).toEqual({ kind: 'proxy', realm: 'example.ac.jp', route: 'example.ac.jp' });
    expect(r.route('a@sub.example.ac.jp')).toEqual({ kind: 'proxy', realm: 'sub.example.ac.jp', route: '*' });
    expect(r.route('a@jaist.ac.jp')).toEqual({ kind: 'local', realm: 'jaist.ac.jp' });
    expect(r.route('a@student.jaist.ac.jp')).toEqual({ kind: 'local', realm: 'student.jaist.ac.jp' });
    expect(r.route('a')).toMatchObject({ kind: 'reject' });
    expect(new RealmRouter(() => ['jaist.ac.jp'], []).route('a@example.ac.jp')).toEqual({ kind: 'local', realm: 'example.ac.jp' });
  });
});

describe('StreamFramer (RadSec, RFC 6614 2.3)', () => {
  const packet = (id: number, extra = 0) => {
    const b = Buffer.alloc(20 + extra, id);
    b[0] = 2;
    b.writeUInt16BE(20 + extra, 2);
    return b;
  };
  it('splits by the Length field across and within chunks', () => {
    const f = new StreamFramer();
    const all = Buffer.concat([packet(1), packet(2, 5), packet(3)]);
    expect(f.push(all.subarray(0, 7))).toEqual({ ok: true, packets: [] });
    const r = f.push(all.subarray(7, 30));
    expect(r.ok && r.packets.map((p) => p[1])).toEqual([1]);
    expect(f.pending).toBe(10);
    const r2 = f.push(all.subarray(30));
    expect(r2.ok && r2.packets.map((p) => p.length)).toEqual([25, 20]);
    expect(f.pending).toBe(0);
  });
  it('breaks the stream on an impossible Length', () => {
    const bad = packet(1);
    bad.writeUInt16BE(5000, 2);
    expect(new StreamFramer().push(bad)).toMatchObject({ ok: false });
    bad.writeUInt16BE(10, 2);
    expect(new StreamFramer().push(bad)).toMatchObject({ ok: false });
  });
});

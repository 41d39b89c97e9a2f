import { describe, expect, it } from 'vitest';
import { Reassembler, TlsFlag, decodeTlsFrame, encodeTlsFrame, fragment, isAck } from '../../src/eap/tls-framing.js';

const frame = (hex: string) => {
  const d = decodeTlsFrame(Buffer.from(hex, 'hex'));
  if (!d.ok) throw new Error(d.reason);
  return d.frame;
};

describe('EAP-TLS framing (RFC 5216 3.1)', () => {
  it('decodes flags with and without the L field', () => {
    expect(frame('800010000016030100')).toMatchObject({ flags: 0x80, totalLength: 0x100000, payload: Buffer.from('16030100', 'hex') });
    expect(frame('0016')).toMatchObject({ flags: 0, totalLength: undefined, payload: Buffer.from('16', 'hex') });
    expect(decodeTlsFrame(Buffer.from('80000001', 'hex'))).toEqual({ ok: false, reason: 'eaptls_too_short' });
    expect(decodeTlsFrame(Buffer.alloc(0))).toEqual({ ok: false, reason: 'eaptls_too_short' });
  });

  it('ignores reserved bits on receipt and never sends them', () => {
    const f = frame('1f16'); // reserved bits 0x1f set, no L/M/S
    expect(f.totalLength).toBeUndefined();
    expect(f.payload).toEqual(Buffer.from('16', 'hex'));
    expect(encodeTlsFrame(0xff & ~TlsFlag.Length, Buffer.alloc(0))[0]).toBe(TlsFlag.More | TlsFlag.Start);
  });

  it('recognises an ACK: empty, no M', () => {
    expect(isAck(frame('00'))).toBe(true);
    expect(isAck(frame('40'))).toBe(false);
    expect(isAck(frame('0016'))).toBe(false);
  });

  it('fragments with L only on the first fragment and M on all but the last', () => {
    const msg = Buffer.alloc(2500, 7);
    const parts = fragment(msg, 1000).map((p) => frame(p.toString('hex')));
    expect(parts.map((p) => p.flags)).toEqual([0xc0, 0x40, 0x00]);
    expect(parts[0]!.totalLength).toBe(2500);
    expect(parts.map((p) => p.payload.length)).toEqual([1000, 1000, 500]);
  });

  it('sends an unfragmented message without L', () => {
    const [only, ...rest] = fragment(Buffer.alloc(1000, 1), 1000);
    expect(rest).toHaveLength(0);
    expect(only![0]).toBe(0);
    expect(only!.length).toBe(1001);
  });
});

describe('reassembly', () => {
  it('joins fragments back and accepts L on an unfragmented message', () => {
    const r = new Reassembler(65536);
    const msg = Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff));
    const parts = fragment(msg, 1398).map((p) => frame(p.toString('hex')));
    expect(r.add(parts[0]!)).toEqual({ status: 'more' });
    expect(r.add(parts[1]!)).toEqual({ status: 'more' });
    expect(r.add(parts[2]!)).toEqual({ status: 'complete', message: msg });
    expect(r.add(frame('800000000216ab'))).toEqual({ status: 'complete', message: Buffer.from('16ab', 'hex') });
  });

  it('accepts fragments that carry no L at all', () => {
    const r = new Reassembler(100);
    expect(r.add(frame('40aa'))).toEqual({ status: 'more' });
    expect(r.add(frame('00bb'))).toEqual({ status: 'complete', message: Buffer.from('aabb', 'hex') });
  });

  it('refuses an announced length over the limit before buffering anything', () => {
    const r = new Reassembler(65536);
    expect(r.add(frame('c0000100010000'))).toEqual({ status: 'error', reason: 'eaptls_too_large' });
    expect(r.inProgress).toBe(false);
  });

  it('refuses more data than the limit even without L', () => {
    const r = new Reassembler(4);
    expect(r.add(frame('40aabb'))).toEqual({ status: 'more' });
    expect(r.add(frame('40ccdd'))).toEqual({ status: 'more' });
    expect(r.add(frame('40ee'))).toEqual({ status: 'error', reason: 'eaptls_too_large' });
  });

  it('refuses data that disagrees with L (too much, or too little at the end)', () => {
    const over = new Reassembler(100);
    expect(over.add(frame('c000000002aabbcc'))).toEqual({ status: 'error', reason: 'eaptls_length_mismatch' });
    const under = new Reassembler(100);
    expect(under.add(frame('c000000004aa'))).toEqual({ status: 'more' });
    expect(under.add(frame('00bb'))).toEqual({ status: 'error', reason: 'eaptls_length_mismatch' });
  });

  it('ignores an L on a later fragment (only the first one announces)', () => {
    const r = new Reassembler(100);
    expect(r.add(frame('c000000003aa'))).toEqual({ status: 'more' });
    expect(r.add(frame('c000000063bb'))).toEqual({ status: 'more' });
    expect(r.add(frame('00cc'))).toEqual({ status: 'complete', message: Buffer.from('aabbcc', 'hex') });
  });
});

import { describe, expect, it } from 'vitest';
import { DerError, decodeOid, decodeTime, encodeIntegerHex, encodeOid, integerBig, integerHex, readTlv, tlv } from '../../src/revocation/der.js';

describe('DER reader and writer', () => {
  it('reads short and long lengths and refuses values running past their container', () => {
    expect(readTlv(Buffer.from('300300 0100'.replace(/ /g, ''), 'hex'), 0)).toEqual({ tag: 0x30, start: 0, contentStart: 2, end: 5 });
    const long = Buffer.concat([Buffer.from([0x04, 0x82, 0x01, 0x00]), Buffer.alloc(256)]);
    expect(readTlv(long, 0)).toMatchObject({ contentStart: 4, end: 260 });
    expect(() => readTlv(Buffer.from('3005 0100'.replace(/ /g, ''), 'hex'), 0)).toThrow(DerError);
    expect(() => readTlv(Buffer.from([0x30]), 0)).toThrow(DerError);
    expect(() => readTlv(Buffer.from([0x04, 0x80]), 0)).toThrow(/length form/);
  });

  it('decodes OIDs, times and integers as openssl prints them', () => {
    expect(decodeOid(Buffer.from('2b0e03021a', 'hex'))).toBe('1.3.14.3.2.26');
    expect(decodeOid(Buffer.from('2a864886f70d01010b', 'hex'))).toBe('1.2.840.113549.1.1.11');
    expect(encodeOid('1.3.6.1.5.5.7.48.1.2').toString('hex')).toBe('06092b0601050507300102');
    const utc = Buffer.from('170d3236313132353037303833325a', 'hex'); // 261125070832Z
    expect(decodeTime(utc, readTlv(utc, 0)).toISOString()).toBe('2026-11-25T07:08:32.000Z');
    const gen = Buffer.from('180f32303530303130313030303030305a', 'hex'); // 20500101000000Z
    expect(decodeTime(gen, readTlv(gen, 0)).toISOString()).toBe('2050-01-01T00:00:00.000Z');
    expect(integerHex(Buffer.from('00ff01', 'hex'))).toBe('FF01');
    expect(integerHex(Buffer.from('00', 'hex'))).toBe('00');
    expect(integerBig(Buffer.from('0100', 'hex'))).toBe(256n);
    expect(integerBig(Buffer.from('ff', 'hex'))).toBe(-1n);
    expect(encodeIntegerHex('FF01').toString('hex')).toBe('020300ff01');
    expect(encodeIntegerHex('2A').toString('hex')).toBe('02012a');
    expect(tlv(0x04, Buffer.alloc(200)).subarray(0, 3).toString('hex')).toBe('0481c8');
  });
});

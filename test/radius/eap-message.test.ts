import { describe, it, expect } from 'vitest';
import { joinEapMessage, splitEapMessage } from '../../src/radius/eap-message.js';
import { encodePacket } from '../../src/radius/serializer.js';
import { decodePacket } from '../../src/radius/parser.js';
import { Attr, Code, type RadiusAttribute, type RadiusPacket } from '../../src/radius/packet.js';

// Distinct byte per position (mod 251, a prime) so a misordered or shifted chunk shows.
const eap = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i % 251));
const packet = (attributes: RadiusAttribute[]): RadiusPacket => ({ code: Code.AccessChallenge, identifier: 1, authenticator: Buffer.alloc(16), attributes });

describe('splitEapMessage', () => {
  it.each([
    [1, [1]],
    [253, [253]],
    [254, [253, 1]],
    [506, [253, 253]],
    [507, [253, 253, 1]],
    [1020, [253, 253, 253, 253, 8]],
  ])('splits %i bytes into %j', (n, sizes) => {
    const parts = splitEapMessage(eap(n));
    expect(parts.map((a) => a.value.length)).toEqual(sizes);
    expect(parts.every((a) => a.type === Attr.EapMessage)).toBe(true);
    expect(joinEapMessage(packet(parts))?.equals(eap(n))).toBe(true);
  });

  it('survives the wire: encode, decode, join, with other attributes interleaved', () => {
    const parts = splitEapMessage(eap(506));
    const p = packet([{ type: Attr.State, value: Buffer.from('s') }, ...parts, { type: Attr.ReplyMessage, value: Buffer.from('x') }]);
    const wire = encodePacket(p);
    // Two EAP-Message attributes of 255 bytes each, back to back.
    expect(wire.subarray(23, 25).toString('hex')).toBe('4fff');
    expect(wire.subarray(23 + 255, 23 + 257).toString('hex')).toBe('4fff');
    const r = decodePacket(wire);
    expect(r.ok && joinEapMessage(r.packet)?.equals(eap(506))).toBe(true);
  });

  it('rejects an empty EAP packet', () => {
    expect(() => splitEapMessage(Buffer.alloc(0))).toThrow(RangeError);
  });
});

describe('joinEapMessage', () => {
  it('is undefined without EAP-Message', () => {
    expect(joinEapMessage(packet([{ type: Attr.State, value: Buffer.from('s') }]))).toBeUndefined();
  });

  it('keeps wire order', () => {
    const p = packet([
      { type: Attr.EapMessage, value: Buffer.from('ab') },
      { type: Attr.State, value: Buffer.from('s') },
      { type: Attr.EapMessage, value: Buffer.from('cd') },
    ]);
    expect(joinEapMessage(p)?.toString()).toBe('abcd');
  });
});

// Property-based tests (fast-check) over the EAP codec and the EAP-TLS framing and reassembly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EapCode, decodeEap, encodeEap } from '../../src/eap/packet.js';
import { Reassembler, TlsFlag, decodeTlsFrame, encodeTlsFrame, fragment } from '../../src/eap/tls-framing.js';

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

describe('EAP decoder properties', () => {
  it('never throws; accepts only packets whose Length equals the data', () => {
    fc.assert(
      fc.property(bytes(2000), (b) => {
        const d = decodeEap(b);
        if (d.ok) {
          expect(b.readUInt16BE(2)).toBe(b.length);
          expect([EapCode.Request, EapCode.Response, EapCode.Success, EapCode.Failure]).toContain(d.packet.code);
        } else {
          expect(['eap_too_short', 'eap_length_mismatch', 'eap_bad_code']).toContain(d.reason);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips Request/Response packets and refuses any other length', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), bytes(1500), fc.integer({ min: -3, max: 3 }).filter((x) => x !== 0), (code, id, type, data, skew) => {
        const wire = encodeEap(code, id, type, data);
        expect(decodeEap(wire)).toEqual({ ok: true, packet: { code, identifier: id, type, data } });
        const lying = Buffer.from(wire);
        lying.writeUInt16BE(Math.max(0, wire.length + skew), 2);
        expect(decodeEap(lying).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('EAP-TLS framing properties', () => {
  it('decodeTlsFrame never throws; the L field is read only when present', () => {
    fc.assert(
      fc.property(bytes(100), (b) => {
        const d = decodeTlsFrame(b);
        if (!d.ok) {
          expect(b.length < 1 || ((b[0]! & TlsFlag.Length) !== 0 && b.length < 5)).toBe(true);
          return;
        }
        expect(d.frame.payload.length).toBe(b.length - (b[0]! & TlsFlag.Length ? 5 : 1));
      }),
      { numRuns: 2000 },
    );
  });

  it('fragment then reassemble gives the message back, for any size and fragment size', () => {
    fc.assert(
      fc.property(bytes(20_000).filter((m) => m.length > 0), fc.integer({ min: 1, max: 3000 }), (message, max) => {
        const r = new Reassembler(65_536);
        const frames = fragment(message, max);
        let out: Buffer | undefined;
        for (const [i, f] of frames.entries()) {
          const d = decodeTlsFrame(f);
          if (!d.ok) throw new Error(d.reason);
          expect(d.frame.payload.length).toBeLessThanOrEqual(max);
          const step = r.add(d.frame);
          if (i < frames.length - 1) expect(step).toEqual({ status: 'more' });
          else if (step.status === 'complete') out = step.message;
        }
        expect(out?.equals(message)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('random frame sequences never throw and never yield (or hold) more than the limit', () => {
    const frame = fc.record({ flags: fc.integer({ min: 0, max: 255 }), totalLength: fc.option(fc.nat({ max: 100_000 }), { nil: undefined }), payload: bytes(3000) });
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 40 }), fc.integer({ min: 1, max: 10_000 }), (frames, limit) => {
        const r = new Reassembler(limit);
        let held = 0;
        for (const f of frames) {
          const s = r.add({ ...f, totalLength: f.flags & TlsFlag.Length ? f.totalLength : undefined });
          if (s.status === 'more') held += f.payload.length;
          else held = 0;
          expect(held).toBeLessThanOrEqual(limit);
          if (s.status === 'complete') expect(s.message.length).toBeLessThanOrEqual(limit);
          else if (s.status === 'error') expect(['eaptls_too_large', 'eaptls_length_mismatch']).toContain(s.reason);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('an announced length over the limit is refused before anything is buffered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65_536 }), fc.integer({ min: 1, max: 1 << 24 }), (limit, announced) => {
        fc.pre(announced > limit);
        const s = new Reassembler(limit).add({ flags: TlsFlag.Length | TlsFlag.More, totalLength: announced, payload: Buffer.alloc(1) });
        expect(s).toEqual({ status: 'error', reason: 'eaptls_too_large' });
      }),
    );
    expect(encodeTlsFrame(TlsFlag.Length, Buffer.alloc(2), 2).length).toBe(7);
  });
});

// Property-based tests (fast-check) over the RADIUS decoder: untrusted bytes in, a value out, never
// a throw, and what it accepts is exactly what the encoder would write.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyMessageAuthenticator, verifyRequestAuthenticator } from '../../src/radius/authenticator.js';
import { joinEapMessage } from '../../src/radius/eap-message.js';
import { Attr, MAX_PACKET } from '../../src/radius/packet.js';
import { decodePacket } from '../../src/radius/parser.js';
import { encodeAccessRequest } from '../../src/radius/reply.js';
import { encodePacket } from '../../src/radius/serializer.js';

const SECRET = Buffer.from('testing123');
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

const attribute = fc.record({ type: fc.integer({ min: 0, max: 255 }).filter((t) => t !== Attr.MessageAuthenticator), value: bytes(253) });
const packet = fc
  .record({ code: fc.integer({ min: 0, max: 255 }), identifier: fc.integer({ min: 0, max: 255 }), authenticator: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a)), attributes: fc.array(attribute, { maxLength: 30 }) })
  .filter((p) => 20 + p.attributes.reduce((n, a) => n + 2 + a.value.length, 0) <= MAX_PACKET);

/** A real-looking signed Access-Request, then byte-level mutations of it. */
const signedRequest = fc.record({ id: fc.integer({ min: 0, max: 255 }), attributes: fc.array(attribute, { maxLength: 8 }) }).map(({ id, attributes }) =>
  encodeAccessRequest({ identifier: id, authenticator: Buffer.alloc(16, id), attributes: attributes.filter((_, i) => i < 8).map((a) => ({ ...a, value: a.value.subarray(0, 200) })), secret: SECRET, messageAuthenticator: true }),
);
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), data: bytes(40) }),
);
type Mutation = { kind: 'flip' | 'set' | 'cut' | 'insert'; at: number; bit?: number; value?: number; data?: Buffer };
function mutate(buf: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(buf);
  for (const m of ms) {
    const at = b.length ? m.at % b.length : 0;
    if (m.kind === 'flip' && b.length) b[at]! ^= 1 << m.bit!;
    else if (m.kind === 'set' && b.length) b[at] = m.value!;
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.data!, b.subarray(at)]);
  }
  return b;
}

/** Everything the transport does with a datagram before the handler: must never throw. */
function transportChecks(datagram: Buffer): void {
  const d = decodePacket(datagram);
  if (!d.ok) {
    expect(['too_short', 'bad_length', 'bad_attribute', 'bad_message_authenticator_length']).toContain(d.reason);
    return;
  }
  const length = datagram.readUInt16BE(2);
  expect(d.raw.length).toBe(length);
  expect(d.packet.attributes.reduce((n, a) => n + 2 + a.value.length, 20)).toBe(length);
  if (d.messageAuthenticatorOffset >= 0) {
    expect(d.raw[d.messageAuthenticatorOffset - 2]).toBe(Attr.MessageAuthenticator);
    expect(typeof verifyMessageAuthenticator(d.raw, d.messageAuthenticatorOffset, SECRET)).toBe('boolean');
  }
  expect(typeof verifyRequestAuthenticator(d.raw, SECRET)).toBe('boolean');
  joinEapMessage(d.packet);
}

describe('RADIUS decoder properties', () => {
  it('never throws on arbitrary bytes, and what it accepts is consistent with the Length field', () => {
    fc.assert(fc.property(bytes(4200), (b) => transportChecks(b)), { numRuns: 3000 });
  });

  it('never throws on headers that claim plausible lengths over random attributes', () => {
    const framed = fc.tuple(fc.integer({ min: 0, max: 4200 }), bytes(4200)).map(([len, body]) => {
      const b = Buffer.concat([Buffer.alloc(20, 1), body]);
      b.writeUInt16BE(Math.min(len, 65535), 2);
      return b;
    });
    fc.assert(fc.property(framed, (b) => transportChecks(b)), { numRuns: 2000 });
  });

  it('decodes whatever the encoder writes, padding ignored (round trip)', () => {
    fc.assert(
      fc.property(packet, bytes(64), (p, padding) => {
        const wire = encodePacket(p);
        const d = decodePacket(Buffer.concat([wire, padding]));
        expect(d.ok).toBe(true);
        if (!d.ok) return;
        expect(d.raw.equals(wire)).toBe(true);
        expect({ ...d.packet, authenticator: Buffer.from(d.packet.authenticator) }).toEqual({ ...p, attributes: p.attributes.map((a) => ({ type: a.type, value: a.value })) });
      }),
      { numRuns: 1000 },
    );
  });

  it('mutations of a signed Access-Request never throw, and any change to the signed bytes fails the Message-Authenticator', () => {
    fc.assert(
      fc.property(signedRequest, fc.array(mutation, { minLength: 1, maxLength: 4 }), (req, ms) => {
        const m = mutate(req, ms);
        transportChecks(m);
        const d = decodePacket(m);
        if (d.ok && d.messageAuthenticatorOffset >= 0 && !d.raw.equals(req)) {
          expect(verifyMessageAuthenticator(d.raw, d.messageAuthenticatorOffset, SECRET)).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

import { describe, it, expect } from 'vitest';
import { decodePacket } from '../../src/radius/parser.js';
import { Attr, Code, getAttribute } from '../../src/radius/packet.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 2865 section 7.1, "User Telnet to Specified Host": Access-Request as printed in the RFC.
const RFC2865_7_1_REQUEST = hex(`
  01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
  98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8
  01 10 05 06 00 00 00 03`);

// Captured from FreeRADIUS 3.2.1 `radclient` (Debian freeradius-utils), secret "testing123", sent to
// a local UDP listener: Access-Request with EAP-Message and Message-Authenticator LAST.
const RADCLIENT_ACCESS_REQUEST = hex(
  '01ae00766d7ae3588c9ed933275b4c686c9ea5fc0119616e6f6e796d6f7573406578616d706c652e61632e6a70' +
    '0406c00002011f1330322d30302d30302d30302d30302d30314f1e0201001a01616e6f6e796d6f7573406578616d' +
    '706c652e61632e6a705012f85d89e26930a987f37073311361cac4',
);

// A minimal header: code, id, Length, 16-byte authenticator.
function header(length: number, code = 1, id = 0): Buffer {
  const b = Buffer.alloc(20);
  b[0] = code;
  b[1] = id;
  b.writeUInt16BE(length, 2);
  return b;
}

describe('decodePacket: known packets', () => {
  it('decodes the RFC 2865 7.1 Access-Request', () => {
    const r = decodePacket(RFC2865_7_1_REQUEST);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.packet.code).toBe(Code.AccessRequest);
    expect(r.packet.identifier).toBe(0);
    expect(r.packet.authenticator.toString('hex')).toBe('0f403f9473978057bd83d5cb98f4227a');
    expect(r.packet.attributes.map((a) => a.type)).toEqual([Attr.UserName, Attr.UserPassword, Attr.NasIpAddress, Attr.NasPort]);
    expect(getAttribute(r.packet, Attr.UserName)?.toString()).toBe('nemo');
    expect(getAttribute(r.packet, Attr.UserPassword)?.toString('hex')).toBe('0dbe708d93d413ce3196e43f782a0aee');
    expect(getAttribute(r.packet, Attr.NasIpAddress)?.toString('hex')).toBe('c0a80110');
    expect(getAttribute(r.packet, Attr.NasPort)?.readUInt32BE(0)).toBe(3);
    expect(r.messageAuthenticatorOffset).toBe(-1);
    expect(r.raw.equals(RFC2865_7_1_REQUEST)).toBe(true);
  });

  it('finds the Message-Authenticator wherever it is (radclient puts it last)', () => {
    const r = decodePacket(RADCLIENT_ACCESS_REQUEST);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.packet.identifier).toBe(0xae);
    expect(r.raw.length).toBe(0x76);
    expect(r.messageAuthenticatorOffset).toBe(0x76 - 16);
    expect(r.raw.subarray(r.messageAuthenticatorOffset, r.messageAuthenticatorOffset + 16).toString('hex')).toBe(
      'f85d89e26930a987f37073311361cac4',
    );
    expect(getAttribute(r.packet, Attr.EapMessage)?.toString('hex')).toBe(
      '0201001a01616e6f6e796d6f7573406578616d706c652e61632e6a70',
    );
  });

  it('reports the FIRST Message-Authenticator offset when there are two', () => {
    const b = Buffer.concat([header(56), Buffer.from([80, 18]), Buffer.alloc(16, 1), Buffer.from([80, 18]), Buffer.alloc(16, 2)]);
    const r = decodePacket(b);
    expect(r.ok && r.messageAuthenticatorOffset).toBe(22);
  });

  it('returns subarrays of raw, not copies', () => {
    const r = decodePacket(RFC2865_7_1_REQUEST);
    if (!r.ok) throw new Error('decode failed');
    const name = getAttribute(r.packet, Attr.UserName);
    expect(name?.buffer).toBe(r.raw.buffer);
    expect(name?.byteOffset).toBe(r.raw.byteOffset + 22);
  });

  it('accepts a header-only packet and an empty attribute value (length 2)', () => {
    expect(decodePacket(header(20)).ok).toBe(true);
    const r = decodePacket(Buffer.concat([header(22), Buffer.from([24, 2])]));
    expect(r.ok && r.packet.attributes).toEqual([{ type: 24, value: Buffer.alloc(0) }]);
  });
});

describe('decodePacket: framing', () => {
  it('ignores padding past Length and drops it from raw', () => {
    const padded = Buffer.concat([RFC2865_7_1_REQUEST, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x01])]);
    const r = decodePacket(padded);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.raw.length).toBe(0x38);
    expect(r.raw.equals(RFC2865_7_1_REQUEST)).toBe(true);
    expect(r.packet.attributes.length).toBe(4);
  });

  it('rejects datagrams under 20 bytes', () => {
    expect(decodePacket(Buffer.alloc(0))).toEqual({ ok: false, reason: 'too_short' });
    expect(decodePacket(RFC2865_7_1_REQUEST.subarray(0, 19))).toEqual({ ok: false, reason: 'too_short' });
  });

  it('drops a datagram shorter than its Length field', () => {
    expect(decodePacket(RFC2865_7_1_REQUEST.subarray(0, 0x37))).toEqual({ ok: false, reason: 'bad_length' });
  });

  it('rejects Length below 20 or above 4096', () => {
    expect(decodePacket(header(19))).toEqual({ ok: false, reason: 'bad_length' });
    expect(decodePacket(header(0))).toEqual({ ok: false, reason: 'bad_length' });
    const big = Buffer.alloc(5000);
    big.writeUInt16BE(4097, 2);
    expect(decodePacket(big)).toEqual({ ok: false, reason: 'bad_length' });
    big.writeUInt16BE(4096, 2);
    // 4096 is allowed; the body is zeros, i.e. attributes of length 0, hence bad_attribute.
    expect(decodePacket(big)).toEqual({ ok: false, reason: 'bad_attribute' });
  });
});

describe('decodePacket: malformed attributes', () => {
  it('rejects attribute length 0 and 1', () => {
    expect(decodePacket(Buffer.concat([header(22), Buffer.from([1, 0])]))).toEqual({ ok: false, reason: 'bad_attribute' });
    expect(decodePacket(Buffer.concat([header(22), Buffer.from([1, 1])]))).toEqual({ ok: false, reason: 'bad_attribute' });
  });

  it('rejects an attribute running past Length, even when the datagram has the bytes', () => {
    const b = Buffer.concat([header(24), Buffer.from([1, 6, 0x61, 0x62, 0x63, 0x64])]);
    expect(decodePacket(b)).toEqual({ ok: false, reason: 'bad_attribute' });
  });

  it('rejects a lone trailing type octet', () => {
    const b = Buffer.concat([header(27), Buffer.from([1, 6, 0x61, 0x62, 0x63, 0x64, 18])]);
    expect(decodePacket(b)).toEqual({ ok: false, reason: 'bad_attribute' });
  });

  it('rejects a Message-Authenticator whose length is not 18', () => {
    const short = Buffer.concat([header(37), Buffer.from([80, 17]), Buffer.alloc(15)]);
    expect(decodePacket(short)).toEqual({ ok: false, reason: 'bad_message_authenticator_length' });
    const long = Buffer.concat([header(39), Buffer.from([80, 19]), Buffer.alloc(17)]);
    expect(decodePacket(long)).toEqual({ ok: false, reason: 'bad_message_authenticator_length' });
    const empty = Buffer.concat([header(22), Buffer.from([80, 2])]);
    expect(decodePacket(empty)).toEqual({ ok: false, reason: 'bad_message_authenticator_length' });
  });
});

describe('decodePacket: never throws', () => {
  // Park-Miller LCG so a failure reproduces from the printed seed.
  function lcg(seed: number): () => number {
    let s = seed % 2147483647 || 1;
    return () => (s = (s * 48271) % 2147483647);
  }

  it('returns a result for 20000 random and mutated datagrams', () => {
    const rnd = lcg(20240709);
    const reasons = new Set<string>();
    for (let i = 0; i < 20000; i++) {
      let b: Buffer;
      if (i % 2 === 0) {
        b = Buffer.alloc(rnd() % 120);
        for (let j = 0; j < b.length; j++) b[j] = rnd() & 0xff;
        // Make the Length field plausible half the time, so attribute parsing gets exercised.
        if (b.length >= 20 && rnd() % 2 === 0) b.writeUInt16BE(20 + (rnd() % (b.length - 19)), 2);
      } else {
        b = Buffer.from(RADCLIENT_ACCESS_REQUEST);
        for (let k = 1 + (rnd() % 4); k > 0; k--) b[rnd() % b.length] = rnd() & 0xff;
        b = b.subarray(0, rnd() % (b.length + 1));
      }
      let r: ReturnType<typeof decodePacket> | undefined;
      expect(() => (r = decodePacket(b)), `iteration ${i}: ${b.toString('hex')}`).not.toThrow();
      expect(r).toBeDefined();
      reasons.add(r?.ok ? 'ok' : (r?.reason ?? '?'));
    }
    // The generator reached every outcome, so the loop is not vacuous.
    expect([...reasons].sort()).toEqual(['bad_attribute', 'bad_length', 'bad_message_authenticator_length', 'ok', 'too_short']);
  });
});

import { describe, it, expect } from 'vitest';
import { attr, encodePacket, vendorAttr } from '../../src/radius/serializer.js';
import { decodePacket } from '../../src/radius/parser.js';
import { Attr, Code, MsAttr, VENDOR_MICROSOFT } from '../../src/radius/packet.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 2865 section 7.1, Access-Request and Access-Accept exactly as printed in the RFC.
const RFC2865_7_1_REQUEST = hex(`
  01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
  98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8
  01 10 05 06 00 00 00 03`);
const RFC2865_7_1_ACCEPT = hex(`
  02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
  9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);

const LOGIN_SERVICE = 15; // RFC 2865 5.15, not in Attr: this gateway never sends it.
const LOGIN_IP_HOST = 14;

describe('encodePacket', () => {
  it('reproduces the RFC 2865 7.1 Access-Request byte for byte', () => {
    const out = encodePacket({
      code: Code.AccessRequest,
      identifier: 0,
      authenticator: hex('0f403f9473978057bd83d5cb98f4227a'),
      attributes: [
        attr(Attr.UserName, 'nemo'),
        attr(Attr.UserPassword, hex('0dbe708d93d413ce3196e43f782a0aee')),
        attr(Attr.NasIpAddress, hex('c0a80110')),
        attr(Attr.NasPort, 3),
      ],
    });
    expect(out.toString('hex')).toBe(RFC2865_7_1_REQUEST.toString('hex'));
  });

  it('reproduces the RFC 2865 7.1 Access-Accept given its authenticator', () => {
    const out = encodePacket({
      code: Code.AccessAccept,
      identifier: 0,
      authenticator: RFC2865_7_1_ACCEPT.subarray(4, 20),
      attributes: [attr(Attr.ServiceType, 1), attr(LOGIN_SERVICE, 0), attr(LOGIN_IP_HOST, hex('c0a80103'))],
    });
    expect(out.toString('hex')).toBe(RFC2865_7_1_ACCEPT.toString('hex'));
  });

  it('is the inverse of decodePacket on a known packet', () => {
    const r = decodePacket(RFC2865_7_1_ACCEPT);
    if (!r.ok) throw new Error('decode failed');
    expect(encodePacket(r.packet).equals(RFC2865_7_1_ACCEPT)).toBe(true);
  });

  it('accepts a 253-byte value and exactly 4096 bytes; rejects 254 and 4097', () => {
    const auth = Buffer.alloc(16);
    expect(encodePacket({ code: 2, identifier: 0, authenticator: auth, attributes: [attr(79, Buffer.alloc(253))] }).length).toBe(275);
    expect(() => encodePacket({ code: 2, identifier: 0, authenticator: auth, attributes: [attr(79, Buffer.alloc(254))] })).toThrow(RangeError);
    // 16 * 255 = 4080, + 20 header = 4100; trim the last attribute to land on 4096 exactly.
    const fits = [...Array(15).fill(attr(79, Buffer.alloc(253))), attr(79, Buffer.alloc(249))];
    expect(encodePacket({ code: 2, identifier: 0, authenticator: auth, attributes: fits }).length).toBe(4096);
    const over = [...Array(15).fill(attr(79, Buffer.alloc(253))), attr(79, Buffer.alloc(250))];
    expect(() => encodePacket({ code: 2, identifier: 0, authenticator: auth, attributes: over })).toThrow(RangeError);
  });

  it('rejects a wrong-size authenticator and out-of-range header octets', () => {
    expect(() => encodePacket({ code: 2, identifier: 0, authenticator: Buffer.alloc(15), attributes: [] })).toThrow(RangeError);
    expect(() => encodePacket({ code: 256, identifier: 0, authenticator: Buffer.alloc(16), attributes: [] })).toThrow(RangeError);
    expect(() => encodePacket({ code: 2, identifier: -1, authenticator: Buffer.alloc(16), attributes: [] })).toThrow(RangeError);
  });
});

describe('attr', () => {
  it('encodes numbers as 4-byte big-endian and strings as UTF-8', () => {
    expect(attr(Attr.FramedMtu, 1500).value.toString('hex')).toBe('000005dc');
    expect(attr(Attr.SessionTimeout, 0xffffffff).value.toString('hex')).toBe('ffffffff');
    expect(attr(Attr.OperatorName, '1example.ac.jp').value.toString()).toBe('1example.ac.jp');
    expect(attr(Attr.ReplyMessage, 'é').value.toString('hex')).toBe('c3a9');
    expect(attr(Attr.State, hex('0102')).value.toString('hex')).toBe('0102');
  });

  it('rejects integers that do not fit 32 unsigned bits', () => {
    expect(() => attr(Attr.NasPort, -1)).toThrow(RangeError);
    expect(() => attr(Attr.NasPort, 2 ** 32)).toThrow(RangeError);
    expect(() => attr(Attr.NasPort, 1.5)).toThrow(RangeError);
  });
});

describe('vendorAttr', () => {
  it('lays out vendor id, vendor type, vendor length as FreeRADIUS does', () => {
    // Header bytes of the MS-MPPE-Recv-Key VSA in an Access-Accept sent by FreeRADIUS 3.2.1:
    // 1a 3a | 00 00 01 37 | 11 34 | <50 bytes>.
    const a = vendorAttr(VENDOR_MICROSOFT, MsAttr.MppeRecvKey, Buffer.alloc(50, 0xab));
    expect(a.type).toBe(Attr.VendorSpecific);
    expect(a.value.subarray(0, 6).toString('hex')).toBe('000001371134');
    expect(a.value.length).toBe(56);
    expect(encodePacket({ code: 2, identifier: 0, authenticator: Buffer.alloc(16), attributes: [a] }).subarray(20, 28).toString('hex')).toBe(
      '1a3a000001371134',
    );
  });

  it('rejects values that cannot fit in one attribute (247 max)', () => {
    expect(vendorAttr(9, 1, Buffer.alloc(247)).value.length).toBe(253);
    expect(() => vendorAttr(9, 1, Buffer.alloc(248))).toThrow(RangeError);
  });
});

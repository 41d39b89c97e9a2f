import { describe, it, expect } from 'vitest';
import { encodeAccessRequest, encodeComputedRequest, encodeReply } from '../../src/radius/reply.js';
import { encryptMppeKey } from '../../src/radius/mppe.js';
import { attr, vendorAttr } from '../../src/radius/serializer.js';
import { decodePacket } from '../../src/radius/parser.js';
import { verifyMessageAuthenticator, verifyRequestAuthenticator, verifyResponseAuthenticator } from '../../src/radius/authenticator.js';
import { Attr, Code, MsAttr, VENDOR_MICROSOFT } from '../../src/radius/packet.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const range = (from: number, to: number): Buffer => Buffer.from(Array.from({ length: to - from }, (_, i) => from + i));
const ZERO16 = Buffer.alloc(16);

// RFC 2865 section 7.1 (secret "xyzzy5461"): the Access-Accept as printed in the RFC.
const RFC_ACCEPT = hex(`
  02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
  9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);

// FreeRADIUS 3.2.1 on the wire, secret "testing123" (see authenticator.test.ts): the radclient
// Access-Request's authenticator, the Access-Accept freeradius sent (MA first, Reply-Message, MPPE
// Recv/Send keys 0x00..1f / 0x20..3f), and a radclient Accounting-Request (Start).
const FR_SECRET = Buffer.from('testing123');
const FR_REQUEST_AUTH = hex('6d7ae3588c9ed933275b4c686c9ea5fc');
const FR_ACCESS_ACCEPT = hex(
  '02ae00a3bda24f2a5db573ca9e33f15e2929e8f6501251658b71e8baf016cedb54826596615b120977656c636f6d65' +
    '1a3a000001371134878d9567ac7bb325541cc926226e80a746e5ffeff43610954ca6c1fa92c59768a32fb074c950' +
    '5e71580d19d9302ae987e4cc1a3a0000013710348e96461375b8ef62df2045d771ccbcdcaf4098d89c6312e91375' +
    '3b1d0c21ab396af6dfd17f7b8f76f4a5c327f7077d842caf',
);
const FR_ACCOUNTING_REQUEST = hex(
  '04ea0048312102b0facb932298188ce61aed9db42806000000012c0f63657274676174652d303030310119616e6f6e' +
    '796d6f7573406578616d706c652e61632e6a700406c0000201',
);

// Python reference for the vectors marked "python" (RFC 2865 3, RFC 3579 3.2, RFC 5176 3.5):
//   import hashlib, hmac; md5 = lambda b: hashlib.md5(b).digest()
//   hm = lambda k, b: hmac.new(k, b, hashlib.md5).digest(); S = b's3cret'
//   def pkt(code, ident, auth, attrs):  # MA first, zeroed, then HMAC over the packet as it stands
//       p = bytes([code, ident]) + (38 + len(attrs)).to_bytes(2, 'big') + auth + bytes([80, 18]) + bytes(16) + attrs
//       return p[:22] + hm(S, p) + p[38:]
//   reply:    p = pkt(11, 0x2a, bytes(range(16)), attrs); p[:4] + md5(p + S) + p[20:]   (Request Auth in p)
//   computed: p = pkt(40, 7, bytes(16), attrs);           p[:4] + md5(p + S) + p[20:]   (zeros in p)
//   request:  pkt(1, 9, bytes(range(0xf0, 0x100)), attrs)
const SECRET = Buffer.from('s3cret');

describe('encodeReply', () => {
  it('reproduces the RFC 2865 7.1 Access-Accept (no MA)', () => {
    const out = encodeReply({
      code: Code.AccessAccept,
      identifier: 0,
      requestAuthenticator: hex('0f403f9473978057bd83d5cb98f4227a'),
      attributes: [attr(Attr.ServiceType, 1), attr(15, 0), attr(14, hex('c0a80103'))],
      secret: Buffer.from('xyzzy5461'),
      messageAuthenticator: false,
    });
    expect(out.toString('hex')).toBe(RFC_ACCEPT.toString('hex'));
  });

  it('reproduces a FreeRADIUS Access-Accept with MA first and MPPE keys, byte for byte', () => {
    const out = encodeReply({
      code: Code.AccessAccept,
      identifier: 0xae,
      requestAuthenticator: FR_REQUEST_AUTH,
      attributes: [
        attr(Attr.ReplyMessage, 'welcome'),
        // Salts as FreeRADIUS chose them at random, read from its packet.
        vendorAttr(VENDOR_MICROSOFT, MsAttr.MppeRecvKey, encryptMppeKey(range(0, 32), FR_SECRET, FR_REQUEST_AUTH, 0x878d)),
        vendorAttr(VENDOR_MICROSOFT, MsAttr.MppeSendKey, encryptMppeKey(range(32, 64), FR_SECRET, FR_REQUEST_AUTH, 0x8e96)),
      ],
      secret: FR_SECRET,
      messageAuthenticator: true,
    });
    expect(out.toString('hex')).toBe(FR_ACCESS_ACCEPT.toString('hex'));
  });

  it('matches the Python reference for an Access-Challenge, MA first, and both authenticators verify', () => {
    // python: attrs = bytes([79, 8]) + bytes.fromhex('010200060d20') + bytes([24, 18]) + b'certgate-state-1'
    const requestAuthenticator = range(0, 16);
    const out = encodeReply({
      code: Code.AccessChallenge,
      identifier: 0x2a,
      requestAuthenticator,
      attributes: [attr(Attr.EapMessage, hex('010200060d20')), attr(Attr.State, 'certgate-state-1')],
      secret: SECRET,
      messageAuthenticator: true,
    });
    expect(out.toString('hex')).toBe(
      '0b2a0040ac4f5778f4a719283374539b7019159b5012e1892c9867d30e5d72c75b2370eefdfb4f08010200060d20181263657274676174652d73746174652d31',
    );
    const r = decodePacket(out);
    if (!r.ok) throw new Error('decode failed');
    expect(r.packet.attributes[0]?.type).toBe(Attr.MessageAuthenticator);
    expect(r.messageAuthenticatorOffset).toBe(22);
    expect(verifyMessageAuthenticator(r.raw, 22, SECRET, requestAuthenticator)).toBe(true);
    expect(verifyResponseAuthenticator(r.raw, requestAuthenticator, SECRET)).toBe(true);
  });

  it('leaves MA out when not asked for', () => {
    const out = encodeReply({
      code: Code.AccessReject,
      identifier: 1,
      requestAuthenticator: range(0, 16),
      attributes: [attr(Attr.EapMessage, hex('04010004'))],
      secret: SECRET,
      messageAuthenticator: false,
    });
    const r = decodePacket(out);
    expect(r.ok && r.messageAuthenticatorOffset).toBe(-1);
    expect(verifyResponseAuthenticator(out, range(0, 16), SECRET)).toBe(true);
  });

  it('refuses a Message-Authenticator among the attributes and a wrong-size request authenticator', () => {
    const base = { code: Code.AccessAccept, identifier: 1, requestAuthenticator: range(0, 16), secret: SECRET, messageAuthenticator: true };
    expect(() => encodeReply({ ...base, attributes: [attr(Attr.MessageAuthenticator, ZERO16)] })).toThrow(RangeError);
    expect(() => encodeReply({ ...base, requestAuthenticator: Buffer.alloc(8), attributes: [] })).toThrow(RangeError);
  });
});

describe('encodeAccessRequest', () => {
  const authenticator = range(0xf0, 0x100);

  it('matches the Python reference for an Access-Request with MA first', () => {
    // python: attrs = bytes([1, 9]) + b'carol@x' + bytes([79, 7]) + bytes.fromhex('0201000501')
    const out = encodeAccessRequest({
      identifier: 9,
      authenticator,
      attributes: [attr(Attr.UserName, 'carol@x'), attr(Attr.EapMessage, hex('0201000501'))],
      secret: SECRET,
      messageAuthenticator: true,
    });
    expect(out.toString('hex')).toBe(
      '01090036f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff5012cc236b68e67da4e537b0a9d0c97cc9f301096361726f6c40784f070201000501',
    );
    expect(verifyMessageAuthenticator(out, 22, SECRET)).toBe(true);
  });

  it('serves Status-Server through the code option (python: pkt(12, 10, auth, b""))', () => {
    const out = encodeAccessRequest({ code: Code.StatusServer, identifier: 10, authenticator, attributes: [], secret: SECRET, messageAuthenticator: true });
    expect(out.toString('hex')).toBe('0c0a0026f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff50127756df07e84deb65d8212d83e04af3ab');
  });

  it('keeps the given authenticator and omits MA when not asked', () => {
    const out = encodeAccessRequest({ identifier: 0, authenticator, attributes: [attr(Attr.UserName, 'nemo')], secret: SECRET, messageAuthenticator: false });
    expect(out.toString('hex')).toBe('0100001af0f1f2f3f4f5f6f7f8f9fafbfcfdfeff01066e656d6f');
  });
});

describe('encodeComputedRequest', () => {
  it('reproduces a radclient Accounting-Request byte for byte', () => {
    const out = encodeComputedRequest({
      code: Code.AccountingRequest,
      identifier: 0xea,
      attributes: [
        attr(Attr.AcctStatusType, 1),
        attr(Attr.AcctSessionId, 'certgate-0001'),
        attr(Attr.UserName, 'anonymous@example.ac.jp'),
        attr(Attr.NasIpAddress, hex('c0000201')),
      ],
      secret: FR_SECRET,
      messageAuthenticator: false,
    });
    expect(out.toString('hex')).toBe(FR_ACCOUNTING_REQUEST.toString('hex'));
  });

  it('matches the Python reference for a Disconnect-Request with MA, and both checks pass', () => {
    // python: attrs = bytes([1, 9]) + b'carol@x' + bytes([44, 6]) + b'sess'
    const out = encodeComputedRequest({
      code: Code.DisconnectRequest,
      identifier: 7,
      attributes: [attr(Attr.UserName, 'carol@x'), attr(Attr.AcctSessionId, 'sess')],
      secret: SECRET,
      messageAuthenticator: true,
    });
    expect(out.toString('hex')).toBe(
      '28070035cb591a2be68e7b16a2a7ab4d9217ed8f5012b2867037091bcadef7a9cc4721e337aa01096361726f6c40782c0673657373',
    );
    expect(verifyRequestAuthenticator(out, SECRET)).toBe(true);
    expect(verifyMessageAuthenticator(out, 22, SECRET, ZERO16)).toBe(true);
  });
});

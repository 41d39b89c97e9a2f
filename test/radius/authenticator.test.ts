import { describe, it, expect } from 'vitest';
import {
  computeMessageAuthenticator,
  responseAuthenticator,
  verifyMessageAuthenticator,
  verifyRequestAuthenticator,
  verifyResponseAuthenticator,
} from '../../src/radius/authenticator.js';
import { decodePacket } from '../../src/radius/parser.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 2865 section 7.1, secret "xyzzy5461": Access-Request and its Access-Accept as printed in the RFC.
const RFC_SECRET = Buffer.from('xyzzy5461');
const RFC_REQUEST_AUTH = hex('0f403f9473978057bd83d5cb98f4227a');
const RFC_ACCEPT = hex(`
  02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
  9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);

// Captured on the wire from FreeRADIUS 3.2.1 (Debian), shared secret "testing123":
// - radclient Access-Request with EAP-Message; radclient put Message-Authenticator last (offset 102).
// - The Access-Accept freeradius -X sent back for it (users file: Message-Authenticator first,
//   Reply-Message, MS-MPPE-Recv-Key, MS-MPPE-Send-Key); its MA is at offset 22.
// - radclient Accounting-Request (Start), computed Request Authenticator, no MA.
// - radclient Disconnect-Request with MA (offset 62), computed Request Authenticator.
// Independently checked with python3 hashlib/hmac before being pasted here.
const SECRET = Buffer.from('testing123');
const ACCESS_REQUEST = hex(
  '01ae00766d7ae3588c9ed933275b4c686c9ea5fc0119616e6f6e796d6f7573406578616d706c652e61632e6a70' +
    '0406c00002011f1330322d30302d30302d30302d30302d30314f1e0201001a01616e6f6e796d6f7573406578616d' +
    '706c652e61632e6a705012f85d89e26930a987f37073311361cac4',
);
const ACCESS_ACCEPT = hex(
  '02ae00a3bda24f2a5db573ca9e33f15e2929e8f6501251658b71e8baf016cedb54826596615b120977656c636f6d65' +
    '1a3a000001371134878d9567ac7bb325541cc926226e80a746e5ffeff43610954ca6c1fa92c59768a32fb074c950' +
    '5e71580d19d9302ae987e4cc1a3a0000013710348e96461375b8ef62df2045d771ccbcdcaf4098d89c6312e91375' +
    '3b1d0c21ab396af6dfd17f7b8f76f4a5c327f7077d842caf',
);
const ACCOUNTING_REQUEST = hex(
  '04ea0048312102b0facb932298188ce61aed9db42806000000012c0f63657274676174652d303030310119616e6f6e' +
    '796d6f7573406578616d706c652e61632e6a700406c0000201',
);
const DISCONNECT_REQUEST = hex(
  '289a004ee5d1fbcd49a52f775e79fcb70e27fb9d0119616e6f6e796d6f7573406578616d706c652e61632e6a702c0f' +
    '63657274676174652d3030303150129113b50a7b931bfe672b6cc7b9cf0ef7',
);
const ZERO16 = Buffer.alloc(16);

function flip(b: Buffer, at: number): Buffer {
  const c = Buffer.from(b);
  c[at] = (c[at] as number) ^ 0x01;
  return c;
}

describe('Response Authenticator', () => {
  it('computes the RFC 2865 7.1 Access-Accept authenticator', () => {
    const withRequestAuth = Buffer.from(RFC_ACCEPT);
    RFC_REQUEST_AUTH.copy(withRequestAuth, 4);
    expect(responseAuthenticator(withRequestAuth, RFC_SECRET).toString('hex')).toBe('86fe220e7624ba2a1005f6bf9b55e0b2');
  });

  it('verifies the RFC 2865 7.1 Access-Accept and rejects tampering or a wrong secret', () => {
    expect(verifyResponseAuthenticator(RFC_ACCEPT, RFC_REQUEST_AUTH, RFC_SECRET)).toBe(true);
    expect(verifyResponseAuthenticator(RFC_ACCEPT, RFC_REQUEST_AUTH, Buffer.from('xyzzy5462'))).toBe(false);
    expect(verifyResponseAuthenticator(flip(RFC_ACCEPT, 25), RFC_REQUEST_AUTH, RFC_SECRET)).toBe(false);
    expect(verifyResponseAuthenticator(RFC_ACCEPT, flip(RFC_REQUEST_AUTH, 0), RFC_SECRET)).toBe(false);
  });

  it('verifies a FreeRADIUS Access-Accept against the radclient request', () => {
    expect(verifyResponseAuthenticator(ACCESS_ACCEPT, ACCESS_REQUEST.subarray(4, 20), SECRET)).toBe(true);
  });

  it('ignores padding past Length and returns false on unusable input', () => {
    expect(verifyResponseAuthenticator(Buffer.concat([RFC_ACCEPT, Buffer.alloc(7, 0xff)]), RFC_REQUEST_AUTH, RFC_SECRET)).toBe(true);
    expect(verifyResponseAuthenticator(RFC_ACCEPT.subarray(0, 30), RFC_REQUEST_AUTH, RFC_SECRET)).toBe(false);
    expect(verifyResponseAuthenticator(Buffer.alloc(3), RFC_REQUEST_AUTH, RFC_SECRET)).toBe(false);
    expect(verifyResponseAuthenticator(RFC_ACCEPT, Buffer.alloc(15), RFC_SECRET)).toBe(false);
  });
});

describe('computed Request Authenticator (Accounting, Disconnect, CoA)', () => {
  it('verifies radclient Accounting-Request and Disconnect-Request', () => {
    expect(verifyRequestAuthenticator(ACCOUNTING_REQUEST, SECRET)).toBe(true);
    expect(verifyRequestAuthenticator(DISCONNECT_REQUEST, SECRET)).toBe(true);
  });

  it('rejects a wrong secret, a changed attribute, and a random-authenticator Access-Request', () => {
    expect(verifyRequestAuthenticator(ACCOUNTING_REQUEST, Buffer.from('testing124'))).toBe(false);
    expect(verifyRequestAuthenticator(flip(ACCOUNTING_REQUEST, 30), SECRET)).toBe(false);
    expect(verifyRequestAuthenticator(ACCESS_REQUEST, SECRET)).toBe(false);
    expect(verifyRequestAuthenticator(Buffer.alloc(10), SECRET)).toBe(false);
  });
});

describe('Message-Authenticator', () => {
  it('reproduces the radclient Access-Request MA and leaves the input untouched', () => {
    const before = Buffer.from(ACCESS_REQUEST);
    expect(computeMessageAuthenticator(ACCESS_REQUEST, 102, SECRET).toString('hex')).toBe('f85d89e26930a987f37073311361cac4');
    expect(ACCESS_REQUEST.equals(before)).toBe(true);
  });

  it('verifies a request MA at the offset decodePacket reports', () => {
    const r = decodePacket(ACCESS_REQUEST);
    if (!r.ok) throw new Error('decode failed');
    expect(r.messageAuthenticatorOffset).toBe(102);
    expect(verifyMessageAuthenticator(r.raw, r.messageAuthenticatorOffset, SECRET)).toBe(true);
    expect(verifyMessageAuthenticator(r.raw, r.messageAuthenticatorOffset, Buffer.from('testing124'))).toBe(false);
    expect(verifyMessageAuthenticator(flip(r.raw, 30), r.messageAuthenticatorOffset, SECRET)).toBe(false);
    expect(verifyMessageAuthenticator(flip(r.raw, 110), r.messageAuthenticatorOffset, SECRET)).toBe(false);
  });

  it('verifies a reply MA only over the Request Authenticator', () => {
    const requestAuth = ACCESS_REQUEST.subarray(4, 20);
    expect(verifyMessageAuthenticator(ACCESS_ACCEPT, 22, SECRET, requestAuth)).toBe(true);
    // Over the Response Authenticator actually in the header, it must not match.
    expect(verifyMessageAuthenticator(ACCESS_ACCEPT, 22, SECRET)).toBe(false);
  });

  it('verifies a Disconnect-Request MA over 16 zero octets', () => {
    expect(verifyMessageAuthenticator(DISCONNECT_REQUEST, 62, SECRET, ZERO16)).toBe(true);
    expect(verifyMessageAuthenticator(DISCONNECT_REQUEST, 62, SECRET)).toBe(false);
  });

  it('returns false rather than throwing on bad offsets or authenticator sizes', () => {
    for (const off of [-1, 0, 19, ACCESS_REQUEST.length - 15, ACCESS_REQUEST.length, 1.5, Number.NaN]) {
      expect(verifyMessageAuthenticator(ACCESS_REQUEST, off, SECRET)).toBe(false);
    }
    expect(verifyMessageAuthenticator(ACCESS_ACCEPT, 22, SECRET, Buffer.alloc(15))).toBe(false);
  });

  it('computeMessageAuthenticator throws RangeError on an offset outside the packet', () => {
    expect(() => computeMessageAuthenticator(ACCESS_REQUEST, ACCESS_REQUEST.length - 15, SECRET)).toThrow(RangeError);
    expect(() => computeMessageAuthenticator(ACCESS_REQUEST, -1, SECRET)).toThrow(RangeError);
  });
});

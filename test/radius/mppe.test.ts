import { describe, it, expect } from 'vitest';
import { decryptMppeKey, encryptMppeKey, mppeKeyAttributes } from '../../src/radius/mppe.js';
import { Attr, MsAttr, VENDOR_MICROSOFT } from '../../src/radius/packet.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const range = (from: number, to: number): Buffer => Buffer.from(Array.from({ length: to - from }, (_, i) => from + i));

// The two Vendor-Specific values (after the 6-byte vendor header) from an Access-Accept sent by
// FreeRADIUS 3.2.1 (users file: MS-MPPE-Recv-Key = 0x00..1f, MS-MPPE-Send-Key = 0x20..3f), secret
// "testing123", in reply to a radclient request whose Request Authenticator is below.
const FR_SECRET = Buffer.from('testing123');
const FR_REQUEST_AUTH = hex('6d7ae3588c9ed933275b4c686c9ea5fc');
const FR_RECV_KEY = hex(
  '878d9567ac7bb325541cc926226e80a746e5ffeff43610954ca6c1fa92c59768a32fb074c9505e71580d19d9302ae987e4cc',
);
const FR_SEND_KEY = hex(
  '8e96461375b8ef62df2045d771ccbcdcaf4098d89c6312e913753b1d0c21ab396af6dfd17f7b8f76f4a5c327f7077d842caf',
);

// Python reference for the encryption vectors below (RFC 2548 2.4.2, written from the RFC text):
//   import hashlib; md5 = lambda b: hashlib.md5(b).digest()
//   def enc(key, secret, ra, salt):
//       s = (salt | 0x8000).to_bytes(2, 'big'); p = bytes([len(key)]) + key; p += bytes(-len(p) % 16)
//       b = md5(secret + ra + s); c = b''
//       for i in range(0, len(p), 16):
//           blk = bytes(x ^ y for x, y in zip(p[i:i+16], b)); c += blk; b = md5(secret + blk)
//       return s + c
const RA = range(0, 16);

describe('decryptMppeKey', () => {
  it('decrypts the keys FreeRADIUS encrypted', () => {
    expect(decryptMppeKey(FR_RECV_KEY, FR_SECRET, FR_REQUEST_AUTH)?.toString('hex')).toBe(range(0, 32).toString('hex'));
    expect(decryptMppeKey(FR_SEND_KEY, FR_SECRET, FR_REQUEST_AUTH)?.toString('hex')).toBe(range(32, 64).toString('hex'));
  });

  it('returns undefined on malformed values', () => {
    expect(decryptMppeKey(Buffer.alloc(0), FR_SECRET, FR_REQUEST_AUTH)).toBeUndefined();
    expect(decryptMppeKey(FR_RECV_KEY.subarray(0, 2), FR_SECRET, FR_REQUEST_AUTH)).toBeUndefined();
    expect(decryptMppeKey(FR_RECV_KEY.subarray(0, 49), FR_SECRET, FR_REQUEST_AUTH)).toBeUndefined();
    const lowSalt = Buffer.from(FR_RECV_KEY);
    lowSalt[0] = (lowSalt[0] as number) & 0x7f;
    expect(decryptMppeKey(lowSalt, FR_SECRET, FR_REQUEST_AUTH)).toBeUndefined();
    expect(decryptMppeKey(FR_RECV_KEY, FR_SECRET, Buffer.alloc(15))).toBeUndefined();
    // Key-length octet 0xff cannot fit in 16 bytes of plaintext.
    const badLength = encryptMppeKey(Buffer.alloc(0), FR_SECRET, RA, 1);
    badLength[2] = (badLength[2] as number) ^ 0xff;
    expect(decryptMppeKey(badLength, FR_SECRET, RA)).toBeUndefined();
  });

  it('does not yield the key under a wrong secret', () => {
    expect(decryptMppeKey(FR_RECV_KEY, Buffer.from('testing124'), FR_REQUEST_AUTH)?.equals(range(0, 32)) ?? false).toBe(false);
  });
});

describe('encryptMppeKey', () => {
  it('matches the Python reference: 32-byte key, salt 0x1234 -> 0x9234', () => {
    // enc(bytes(range(32)), b'testing123', bytes(range(16)), 0x1234).hex()
    expect(encryptMppeKey(range(0, 32), FR_SECRET, RA, 0x1234).toString('hex')).toBe(
      '923440adcfebb78b1d8824389e03a020b4865b4263f0465659e78650fa1b12a15732907548a58294c187e0ea2e9878b07112',
    );
  });

  it('matches the Python reference: 3-byte key in one block, salt 1 -> 0x8001', () => {
    // enc(bytes.fromhex('aabbcc'), b'testing123', bytes(range(16)), 1).hex()
    expect(encryptMppeKey(hex('aabbcc'), FR_SECRET, RA, 1).toString('hex')).toBe('8001310ebf810a1a2538cf27b06bb2ba15f3');
  });

  it('reproduces FreeRADIUS ciphertext given its salt', () => {
    expect(encryptMppeKey(range(0, 32), FR_SECRET, FR_REQUEST_AUTH, 0x878d).equals(FR_RECV_KEY)).toBe(true);
    expect(encryptMppeKey(range(32, 64), FR_SECRET, FR_REQUEST_AUTH, 0x8e96).equals(FR_SEND_KEY)).toBe(true);
  });

  it('always sets the salt high bit and pads to 16n', () => {
    for (const salt of [0, 1, 0x7fff, 0x8000, 0xffff, 0x1_0000]) {
      const v = encryptMppeKey(range(0, 32), FR_SECRET, RA, salt);
      expect((v[0] as number) & 0x80).toBe(0x80);
      expect(v.readUInt16BE(0)).toBe((salt & 0xffff) | 0x8000);
      expect(v.length).toBe(2 + 48);
    }
  });

  it('round-trips keys of every length 0..255', () => {
    for (let n = 0; n <= 255; n++) {
      const key = Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff));
      const v = encryptMppeKey(key, FR_SECRET, RA, n * 131);
      expect((v.length - 2) % 16).toBe(0);
      expect(decryptMppeKey(v, FR_SECRET, RA)?.equals(key)).toBe(true);
    }
  });

  it('rejects keys over 255 bytes and non-integer salts', () => {
    expect(() => encryptMppeKey(Buffer.alloc(256), FR_SECRET, RA, 1)).toThrow(RangeError);
    expect(() => encryptMppeKey(Buffer.alloc(32), FR_SECRET, RA, 0.5)).toThrow(RangeError);
  });
});

describe('mppeKeyAttributes', () => {
  const secret = Buffer.from('s3cret');

  it('matches the Python reference: Recv-Key = MSK[0..32] salt 0x9234, Send-Key = MSK[32..64] salt 0x9235', () => {
    // v = (311).to_bytes(4,'big') + bytes([t, 52]) + enc(key, b's3cret', bytes(range(16)), salt)
    // for (t, key, salt) in ((17, msk[:32], 0x1234), (16, msk[32:], 0x1235)), msk = bytes(range(64))
    const attrs = mppeKeyAttributes(range(0, 64), secret, RA, 0x1234);
    expect(attrs.map((a) => a.type)).toEqual([Attr.VendorSpecific, Attr.VendorSpecific]);
    expect(attrs[0]?.value.toString('hex')).toBe(
      '0000013711349234e37e7f76ea9a9b06579b77fbbfe6e0ff35571c7462fc8fbd0b10ee092a3d95c545942a5f2d0542d5f8151a9ae016bc54',
    );
    expect(attrs[1]?.value.toString('hex')).toBe(
      '0000013710349235a3c0f5107203b43a41d73b7f247158b1e8691e71dd92da5e110d07638be6b443f5b64058a9c0c8d1440c5727ddb46c9f',
    );
  });

  it('uses two different salts with the high bit set, for any seed', () => {
    for (const seed of [0, 1, 0x7ffe, 0x7fff, 0x8000, 0xffff, 123456789, -1, Number.MAX_SAFE_INTEGER]) {
      const [recv, send] = mppeKeyAttributes(range(0, 64), secret, RA, seed);
      if (recv === undefined || send === undefined) throw new Error('two attributes expected');
      expect(recv.value.readUInt32BE(0)).toBe(VENDOR_MICROSOFT);
      expect([recv.value[4], send.value[4]]).toEqual([MsAttr.MppeRecvKey, MsAttr.MppeSendKey]);
      const recvSalt = recv.value.readUInt16BE(6);
      const sendSalt = send.value.readUInt16BE(6);
      expect(recvSalt & 0x8000).toBe(0x8000);
      expect(sendSalt & 0x8000).toBe(0x8000);
      expect(recvSalt).not.toBe(sendSalt);
      expect(decryptMppeKey(recv.value.subarray(6), secret, RA)?.equals(range(0, 32))).toBe(true);
      expect(decryptMppeKey(send.value.subarray(6), secret, RA)?.equals(range(32, 64))).toBe(true);
    }
  });

  it('rejects an MSK that is not 64 bytes and a non-integer seed', () => {
    expect(() => mppeKeyAttributes(Buffer.alloc(63), secret, RA, 1)).toThrow(RangeError);
    expect(() => mppeKeyAttributes(Buffer.alloc(128), secret, RA, 1)).toThrow(RangeError);
    expect(() => mppeKeyAttributes(Buffer.alloc(64), secret, RA, 0.25)).toThrow(RangeError);
  });
});

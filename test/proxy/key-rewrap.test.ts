// MS-MPPE keys and Tunnel-Password re-encrypted from the upstream leg to the NAS leg. Expected
// values were computed with an independent implementation of RFC 2548 2.4.2 (Python hashlib):
//   b1 = MD5(secret | RequestAuth | salt), bi = MD5(secret | c(i-1)), plain = len | key | zero pad.
import { describe, expect, it } from 'vitest';
import { rewrapKeys } from '../../src/proxy/key-rewrap.js';
import { decryptMppeKey } from '../../src/radius/mppe.js';
import { vendorAttr } from '../../src/radius/serializer.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const upstream = { secret: Buffer.from('upstream-secret'), requestAuthenticator: hex('00112233445566778899aabbccddeeff') };
const nas = { secret: Buffer.from('nas-secret'), requestAuthenticator: hex('0f0e0d0c0b0a09080706050403020100') };
const recvKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const sendKey = Buffer.from(Array.from({ length: 32 }, (_, i) => 32 + i));

const V = {
  upRecv: '80014da3da91e659ca4abf38e229a7e4ba1a50834763cc0b27a177fc5193f875ad6f1e0d62eb7b8c109e6c9a7941412d9418',
  upSend: '80021a16837aee81ad4463953544c25ed2dc46a558a1668fd68bfe8a7a34b9a62d79f4d8865bf07364c17d43559233ba5657',
  nasRecv: '81238bd08d166f356a39ea6c829314077f607fcfedc2a6ad9dd50e05d2506f8303cc5d3cde69779969e13ba03fb1291ec63b',
  nasSend: '81240d48457d987c6590bac3b3dfa06e0422ab27507013866e7d3adf394a5f9958be8d2baa25868ac4e11d28452af56212ab',
  upTunnel: '80032600a8af47eccb81c5c10c78005501e5',
  nasTunnel: '81258ac702e6ef67bc905e996f7d0ed7dd06',
};

describe('MPPE key re-encryption (RFC 2548) for the NAS leg', () => {
  it('the upstream vectors decrypt to the keys (our reading of the cipher matches the reference)', () => {
    expect(decryptMppeKey(hex(V.upRecv), upstream.secret, upstream.requestAuthenticator)).toEqual(recvKey);
    expect(decryptMppeKey(hex(V.upSend), upstream.secret, upstream.requestAuthenticator)).toEqual(sendKey);
  });

  it('re-encrypts both keys with the NAS secret and Request Authenticator, salts unique in the packet', () => {
    const eap = { type: 79, value: hex('03050004') };
    const r = rewrapKeys([eap, vendorAttr(311, 17, hex(V.upRecv)), vendorAttr(311, 16, hex(V.upSend))], upstream, nas, () => 0x0123);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.attributes[0]).toBe(eap);
    expect(r.attributes[1]!.value.toString('hex')).toBe(`000001371134${V.nasRecv}`);
    expect(r.attributes[2]!.value.toString('hex')).toBe(`000001371034${V.nasSend}`);
  });

  it('re-encrypts MPPE keys packed in one Vendor-Specific attribute', () => {
    const packed = Buffer.concat([hex('00000137'), hex('1134'), hex(V.upRecv), hex('1034'), hex(V.upSend)]);
    const r = rewrapKeys([{ type: 26, value: packed }], upstream, nas, () => 0x0123);
    expect(r.ok && r.attributes[0]!.value.toString('hex')).toBe(`000001371134${V.nasRecv}1034${V.nasSend}`);
  });

  it('re-encrypts Tunnel-Password behind its tag octet (RFC 2868 3.5)', () => {
    const r = rewrapKeys([{ type: 69, value: Buffer.concat([hex('01'), hex(V.upTunnel)]) }], upstream, nas, () => 0x0125);
    expect(r.ok && r.attributes[0]!.value.toString('hex')).toBe(`01${V.nasTunnel}`);
  });

  it('leaves other vendors alone and refuses malformed encrypted values', () => {
    const other = vendorAttr(9, 1, Buffer.from('cisco-avpair'));
    const ok = rewrapKeys([other], upstream, nas, () => 1);
    expect(ok.ok && ok.attributes[0]).toBe(other);
    // (A wrong upstream secret never gets here: the Response Authenticator check drops the answer first.)
    const noSaltBit = rewrapKeys([vendorAttr(311, 17, hex(`0001${V.upRecv.slice(4)}`))], upstream, nas, () => 1);
    expect(noSaltBit).toMatchObject({ ok: false });
    const shortCipher = rewrapKeys([{ type: 69, value: hex('0180031234') }], upstream, nas, () => 1);
    expect(shortCipher).toMatchObject({ ok: false });
    const truncated = rewrapKeys([{ type: 26, value: hex('000001371140aa') }], upstream, nas, () => 1);
    expect(truncated).toMatchObject({ ok: false, reason: expect.stringContaining('malformed') });
  });
});

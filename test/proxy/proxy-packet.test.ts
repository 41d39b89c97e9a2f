// Proxy-State (RFC 2865 5.33) and what a proxy may change, as vectors over decoded packets.
import { describe, expect, it } from 'vitest';
import { nasReply, upstreamAttributes } from '../../src/proxy/proxy-packet.js';
import { Attr, Code, type RadiusPacket } from '../../src/radius/packet.js';
import { encryptMppeKey, decryptMppeKey } from '../../src/radius/mppe.js';
import { vendorAttr } from '../../src/radius/serializer.js';

const b = (s: string) => Buffer.from(s);
const ours = Buffer.from('0102030405060708', 'hex');
const upstreamLeg = { secret: b('up'), requestAuthenticator: Buffer.alloc(16, 0xaa) };
const nasLeg = { secret: b('nas'), requestAuthenticator: Buffer.alloc(16, 0x55) };

const nasRequest: RadiusPacket = {
  code: Code.AccessRequest,
  identifier: 7,
  authenticator: nasLeg.requestAuthenticator,
  attributes: [
    { type: Attr.UserName, value: b('anonymous@example.ac.jp') },
    { type: Attr.ProxyState, value: b('nas-proxy-1') },
    { type: Attr.EapMessage, value: Buffer.from('0201001a01', 'hex') },
    { type: Attr.MessageAuthenticator, value: Buffer.alloc(16, 9) },
    { type: Attr.State, value: b('upstream-state') },
    { type: Attr.ChargeableUserIdentity, value: Buffer.from([0]) },
  ],
};

describe('upstream leg', () => {
  it('keeps every NAS attribute in order, drops Message-Authenticator, appends our Proxy-State last', () => {
    const a = upstreamAttributes(nasRequest, ours);
    expect(a.map((x) => x.type)).toEqual([Attr.UserName, Attr.ProxyState, Attr.EapMessage, Attr.State, Attr.ChargeableUserIdentity, Attr.ProxyState]);
    expect(a[1]!.value).toEqual(b('nas-proxy-1'));
    expect(a[5]!.value).toEqual(ours);
  });
});

describe('NAS leg', () => {
  const reply = (attributes: RadiusPacket['attributes'], code: number = Code.AccessChallenge): RadiusPacket => ({ code, identifier: 1, authenticator: Buffer.alloc(16), attributes });

  it('removes our Proxy-State (and the echoed NAS one, which the transport re-adds) and the upstream MA; State, Class, EAP pass as they are', () => {
    const r = nasReply(
      reply([
        { type: Attr.MessageAuthenticator, value: Buffer.alloc(16, 1) },
        { type: Attr.EapMessage, value: Buffer.from('010200060d20', 'hex') },
        { type: Attr.State, value: b('s1') },
        { type: Attr.Class, value: b('class-x') },
        { type: Attr.ProxyState, value: b('nas-proxy-1') },
        { type: Attr.ProxyState, value: ours },
      ]),
      ours,
      upstreamLeg,
      nasLeg,
      () => 1,
    );
    expect(r).toEqual({
      ok: true,
      code: Code.AccessChallenge,
      attributes: [
        { type: Attr.EapMessage, value: Buffer.from('010200060d20', 'hex') },
        { type: Attr.State, value: b('s1') },
        { type: Attr.Class, value: b('class-x') },
      ],
    });
  });

  it('refuses an answer whose last Proxy-State is not ours, or that has none', () => {
    expect(nasReply(reply([{ type: Attr.ProxyState, value: ours }, { type: Attr.ProxyState, value: b('other') }]), ours, upstreamLeg, nasLeg, () => 1)).toMatchObject({ ok: false });
    expect(nasReply(reply([]), ours, upstreamLeg, nasLeg, () => 1)).toMatchObject({ ok: false });
  });

  it('refuses codes a proxy does not relay for an Access-Request', () => {
    expect(nasReply(reply([{ type: Attr.ProxyState, value: ours }], Code.AccountingResponse), ours, upstreamLeg, nasLeg, () => 1)).toMatchObject({ ok: false });
  });

  it('re-encrypts MPPE keys of an Access-Accept for the NAS leg', () => {
    const key = Buffer.alloc(32, 0x42);
    const r = nasReply(
      reply([vendorAttr(311, 17, encryptMppeKey(key, upstreamLeg.secret, upstreamLeg.requestAuthenticator, 5)), { type: Attr.ProxyState, value: ours }], Code.AccessAccept),
      ours,
      upstreamLeg,
      nasLeg,
      () => 9,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const value = r.attributes[0]!.value.subarray(6);
    expect(value.readUInt16BE(0)).toBe(0x8009);
    expect(decryptMppeKey(value, nasLeg.secret, nasLeg.requestAuthenticator)).toEqual(key);
  });
});

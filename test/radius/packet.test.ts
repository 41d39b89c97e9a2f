import { describe, it, expect } from 'vitest';
import { Attr, Code, getAttribute, getAttributes, getString, HEADER, MAX_PACKET, MIN_PACKET, MsAttr, VENDOR_MICROSOFT, type RadiusPacket } from '../../src/radius/packet.js';

const p: RadiusPacket = {
  code: Code.AccessRequest,
  identifier: 1,
  authenticator: Buffer.alloc(16),
  attributes: [
    { type: Attr.ProxyState, value: Buffer.from('a') },
    { type: Attr.UserName, value: Buffer.from('ユーザー@example.ac.jp', 'utf8') },
    { type: Attr.ProxyState, value: Buffer.from('b') },
  ],
};

describe('packet helpers', () => {
  it('getAttribute returns the first, getAttributes all in order', () => {
    expect(getAttribute(p, Attr.ProxyState)?.toString()).toBe('a');
    expect(getAttributes(p, Attr.ProxyState).map((b) => b.toString())).toEqual(['a', 'b']);
    expect(getAttribute(p, Attr.State)).toBeUndefined();
    expect(getAttributes(p, Attr.State)).toEqual([]);
  });

  it('getString decodes UTF-8', () => {
    expect(getString(p, Attr.UserName)).toBe('ユーザー@example.ac.jp');
    expect(getString(p, Attr.State)).toBeUndefined();
  });

  it('keeps the registry numbers (IANA RADIUS types, RFC 2548)', () => {
    expect([Code.AccessChallenge, Code.StatusServer, Code.DisconnectRequest, Code.CoARequest]).toEqual([11, 12, 40, 43]);
    expect([Attr.EapMessage, Attr.MessageAuthenticator, Attr.ChargeableUserIdentity, Attr.OperatorName]).toEqual([79, 80, 89, 126]);
    expect([VENDOR_MICROSOFT, MsAttr.MppeSendKey, MsAttr.MppeRecvKey]).toEqual([311, 16, 17]);
    expect([MIN_PACKET, HEADER, MAX_PACKET]).toEqual([20, 20, 4096]);
  });
});

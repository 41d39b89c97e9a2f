// The TLS 1.3 key schedule against RFC 8448's traces (rfc8448-vectors.ts): every secret of the
// simple 1-RTT handshake, the record key and IV, the server Finished, the resumption PSK, and the
// PSK binder of the resumed handshake. Also the ClientHello parser on the trace's own messages.
import { describe, expect, it } from 'vitest';
import {
  deriveSecret,
  digest,
  earlySecrets,
  finishedKey,
  finishedMac,
  handshakeSecrets,
  hkdfExpandLabel,
  hkdfExtract,
  hmac,
  resumptionPsk,
} from '../../../src/tls/tls13/key-schedule.js';
import { parseClientHello } from '../../../src/tls/tls13/messages.js';
import { keyExchange } from '../../../src/tls/tls13/key-exchange.js';
import { RESUMED_0RTT as R, SIMPLE_1RTT as S } from './rfc8448-vectors.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const h = 'sha256' as const;

describe('key schedule (RFC 8448 section 3, simple 1-RTT)', () => {
  const helloHash = digest(h, Buffer.concat([hex(S.clientHello), hex(S.serverHello)]));

  it('hashes ClientHello..ServerHello as the trace does', () => {
    expect(helloHash.toString('hex')).toBe(S.helloHash);
  });

  it('derives the handshake traffic secrets and the master secret from the shared secret', () => {
    const s = handshakeSecrets(h, hex(S.sharedSecret), helloHash);
    expect(s.clientHandshake.toString('hex')).toBe(S.clientHandshakeTrafficSecret);
    expect(s.serverHandshake.toString('hex')).toBe(S.serverHandshakeTrafficSecret);
    expect(s.master.toString('hex')).toBe(S.masterSecret);
  });

  it('derives each step as RFC 8446 7.1 writes it', () => {
    const zeros = Buffer.alloc(32);
    const early = hkdfExtract(h, zeros, zeros);
    expect(early.toString('hex')).toBe(S.earlySecret);
    const derived = deriveSecret(h, early, 'derived', digest(h, Buffer.alloc(0)));
    expect(derived.toString('hex')).toBe(S.derivedForHandshake);
    expect(hkdfExtract(h, derived, hex(S.sharedSecret)).toString('hex')).toBe(S.handshakeSecret);
  });

  it('derives the server handshake write key and IV, and its Finished', () => {
    const secret = hex(S.serverHandshakeTrafficSecret);
    expect(hkdfExpandLabel(h, secret, 'key', Buffer.alloc(0), 16).toString('hex')).toBe(S.serverHandshakeKey);
    expect(hkdfExpandLabel(h, secret, 'iv', Buffer.alloc(0), 12).toString('hex')).toBe(S.serverHandshakeIv);
    expect(finishedKey(h, secret).toString('hex')).toBe(S.serverFinishedKey);
    expect(finishedMac(h, secret, hex(S.certificateVerifyHash)).toString('hex')).toBe(S.serverFinishedVerifyData);
  });

  it('derives the application, exporter and resumption secrets, and the ticket PSK', () => {
    const master = hex(S.masterSecret);
    expect(deriveSecret(h, master, 'c ap traffic', hex(S.serverFinishedHash)).toString('hex')).toBe(S.clientApplicationTrafficSecret);
    expect(deriveSecret(h, master, 's ap traffic', hex(S.serverFinishedHash)).toString('hex')).toBe(S.serverApplicationTrafficSecret);
    expect(deriveSecret(h, master, 'exp master', hex(S.serverFinishedHash)).toString('hex')).toBe(S.exporterMasterSecret);
    expect(resumptionPsk(h, hex(S.resumptionMasterSecret), hex(S.ticketNonce)).toString('hex')).toBe(S.psk);
  });

  it('reads the trace ClientHello', () => {
    const ch = parseClientHello(hex(S.clientHello));
    expect(ch.cipherSuites).toEqual([0x1301, 0x1303, 0x1302]);
    expect(ch.supportedVersions).toEqual([0x0304]);
    expect(ch.keyShares).toEqual([{ group: 0x001d, key: hex(S.clientPublicKey) }]);
    expect(ch.groups.slice(0, 3)).toEqual([0x001d, 0x0017, 0x0018]);
    expect(ch.pskModes).toEqual([1]);
    expect(ch.psk).toBeUndefined();
  });

  it('X25519 of the client share agrees with the shared secret (RFC 7748 through node:crypto)', () => {
    // Our side generates its own key, so only the shape can be checked against the trace here.
    const { share, shared } = keyExchange(0x001d, hex(S.clientPublicKey));
    expect(share.length).toBe(32);
    expect(shared.length).toBe(32);
  });
});

describe('PSK binder (RFC 8448 section 4, resumed 0-RTT)', () => {
  it('derives the early secret, binder key and binder over the truncated ClientHello', () => {
    const e = earlySecrets(h, hex(R.psk));
    expect(e.earlySecret.toString('hex')).toBe(R.earlySecret);
    expect(e.binderFinishedKey.toString('hex')).toBe(R.binderFinishedKey);
    expect(digest(h, hex(R.truncatedClientHello)).toString('hex')).toBe(R.binderHash);
    expect(hmac(h, e.binderFinishedKey, hex(R.binderHash)).toString('hex')).toBe(R.binder);
  });

  it('reads the resumed ClientHello: the identity, its binder, and where the binders begin', () => {
    const ch = parseClientHello(hex(R.clientHello));
    expect(ch.psk?.binders).toEqual([hex(R.binder)]);
    expect(ch.psk?.identities).toHaveLength(1);
    expect(ch.psk?.truncatedLength).toBe(hex(R.truncatedClientHello).length);
    expect(ch.earlyData).toBe(true);
  });
});

import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { clientHelloSessionId, offersTls13 } from '../../src/tls/client-hello.js';
import { MemoryPipe } from '../../src/tls/memory-pipe.js';

// A hand-made TLS 1.2 ClientHello record: type 22, version 0303, then handshake type 1, length,
// client_version 0303, 32 random bytes, session_id length 4 + aabbccdd, and a cipher suite list.
const vector = Buffer.from(
  '160303002f' + '0100002b' + '0303' + '11'.repeat(32) + '04aabbccdd' + '0002002f' + '0100',
  'hex',
);

describe('ClientHello session ID', () => {
  it('reads the legacy session ID from a vector', () => {
    expect(clientHelloSessionId(vector)).toBe('aabbccdd');
  });

  it('gives undefined for an empty session ID, other records and short input', () => {
    const empty = Buffer.from(vector);
    empty[5 + 4 + 2 + 32] = 0;
    expect(clientHelloSessionId(empty)).toBeUndefined();
    expect(clientHelloSessionId(Buffer.from('170303000100', 'hex'))).toBeUndefined();
    expect(clientHelloSessionId(vector.subarray(0, 40))).toBeUndefined();
    const tooLong = Buffer.from(vector);
    tooLong[5 + 4 + 2 + 32] = 33;
    expect(clientHelloSessionId(tooLong)).toBeUndefined();
  });

  it("reads OpenSSL's own ClientHello (TLS 1.3 compatibility session ID: 32 bytes)", async () => {
    const pipe = new MemoryPipe();
    const s = tls.connect({ socket: pipe, rejectUnauthorized: false });
    s.on('error', () => undefined);
    for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
    const id = clientHelloSessionId(pipe.collect());
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    s.destroy();
  });
});

/** OpenSSL's first flight as a client limited to `maxVersion`. */
async function opensslClientHello(maxVersion: tls.SecureVersion): Promise<Buffer> {
  const pipe = new MemoryPipe();
  const s = tls.connect({ socket: pipe, rejectUnauthorized: false, maxVersion });
  s.on('error', () => undefined);
  for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
  s.destroy();
  return pipe.collect();
}

describe('ClientHello offers TLS 1.3', () => {
  // Hand-made: the vector above plus an extensions block (length 000b) holding server_name-less
  // padding (0015, empty) and supported_versions (002b, length 5: list of 4 bytes, 7f1c then 0304).
  const withVersions = (versions: string) => {
    const ext = '00150000' + '002b' + (1 + versions.length / 2).toString(16).padStart(4, '0') + (versions.length / 2).toString(16).padStart(2, '0') + versions;
    const body = '0303' + '11'.repeat(32) + '04aabbccdd' + '0002002f' + '0100' + (ext.length / 2).toString(16).padStart(4, '0') + ext;
    const hs = '01' + (body.length / 2).toString(16).padStart(6, '0') + body;
    return Buffer.from('160303' + (hs.length / 2).toString(16).padStart(4, '0') + hs, 'hex');
  };

  it('reads supported_versions from vectors', () => {
    expect(offersTls13(withVersions('7f1c0304'))).toBe(true);
    expect(offersTls13(withVersions('03030302'))).toBe(false);
    // No extensions at all: a TLS 1.2 peer.
    expect(offersTls13(Buffer.from('1603030031' + '0100002d' + '0303' + '11'.repeat(32) + '04aabbccdd' + '0002002f' + '0100', 'hex'))).toBe(false);
  });

  it('gives undefined for anything it cannot read to the end', () => {
    const v = withVersions('7f1c0304');
    expect(offersTls13(v.subarray(0, v.length - 3))).toBeUndefined();
    expect(offersTls13(Buffer.from('170303000100', 'hex'))).toBeUndefined();
    const odd = Buffer.from(v);
    odd[v.length - 5] = 3; // list length 3: not whole versions
    expect(offersTls13(odd)).toBeUndefined();
  });

  it("reads OpenSSL's ClientHello: TLS 1.3 offered by default, not when limited to 1.2", async () => {
    expect(offersTls13(await opensslClientHello('TLSv1.3'))).toBe(true);
    expect(offersTls13(await opensslClientHello('TLSv1.2'))).toBe(false);
  });
});

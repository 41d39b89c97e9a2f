import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { clientHelloSessionId } from '../../src/tls/client-hello.js';
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

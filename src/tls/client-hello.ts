/**
 * The legacy session ID of a TLS ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2), read from the
 * first record: enough to send a resuming peer to the worker that holds its session. Pure; any
 * input that is not a ClientHello gives undefined.
 */
export function clientHelloSessionId(records: Buffer): string | undefined {
  // record: type(1)=22 version(2) length(2); handshake: type(1)=1 length(3) version(2) random(32)
  if (records.length < 5 + 4 + 2 + 32 + 1 || records[0] !== 22 || records[5] !== 1) return undefined;
  const at = 5 + 4 + 2 + 32;
  const len = records[at]!;
  if (len === 0 || len > 32 || records.length < at + 1 + len) return undefined;
  return records.subarray(at + 1, at + 1 + len).toString('hex');
}

// Two facts read from a peer's first TLS message (a ClientHello record, RFC 8446 4.1.2 and RFC 5246
// 7.4.1.2) before OpenSSL sees it: which worker holds its session, and whether it will speak TLS 1.3.
// Pure; input that is not a whole ClientHello in one record gives undefined.

/** record: type(1)=22 version(2) length(2); handshake: type(1)=1 length(3); client_version(2) random(32) */
const SESSION_ID_AT = 5 + 4 + 2 + 32;
const SUPPORTED_VERSIONS = 43;
const TLS13 = 0x0304;

/** A handshake record holding a ClientHello, long enough to reach its session ID length. */
const isClientHello = (records: Buffer): boolean => records.length >= SESSION_ID_AT + 1 && records[0] === 22 && records[5] === 1;

/** The legacy session ID: enough to send a resuming TLS 1.2 peer to the worker that holds its session. */
export function clientHelloSessionId(records: Buffer): string | undefined {
  if (!isClientHello(records)) return undefined;
  const len = records[SESSION_ID_AT]!;
  if (len === 0 || len > 32 || records.length < SESSION_ID_AT + 1 + len) return undefined;
  return records.subarray(SESSION_ID_AT + 1, SESSION_ID_AT + 1 + len).toString('hex');
}

/**
 * Whether the ClientHello offers TLS 1.3 (supported_versions lists 0x0304). A server that allows
 * 1.3 always picks it then, so the handshake will be TLS 1.3; undefined when the message cannot be
 * read (then the caller must not assume either version).
 */
export function offersTls13(records: Buffer): boolean | undefined {
  if (!isClientHello(records)) return undefined;
  const end = Math.min(records.length, 5 + records.readUInt16BE(3));
  let at = SESSION_ID_AT;
  const skip = (lengthBytes: 1 | 2): boolean => {
    if (at + lengthBytes > end) return false;
    at += lengthBytes + (lengthBytes === 1 ? records[at]! : records.readUInt16BE(at));
    return at <= end;
  };
  // session_id, cipher_suites, compression_methods
  if (!skip(1) || !skip(2) || !skip(1)) return undefined;
  if (at === end) return false; // no extensions: a TLS 1.2 (or older) peer
  if (at + 2 > end) return undefined;
  const extensionsEnd = at + 2 + records.readUInt16BE(at);
  if (extensionsEnd > end) return undefined;
  at += 2;
  while (at + 4 <= extensionsEnd) {
    const type = records.readUInt16BE(at);
    const len = records.readUInt16BE(at + 2);
    const body = at + 4;
    if (body + len > extensionsEnd) return undefined;
    if (type === SUPPORTED_VERSIONS) {
      const listLen = records[body]!;
      if (len < 1 || 1 + listLen > len || listLen % 2) return undefined;
      for (let v = body + 1; v < body + 1 + listLen; v += 2) if (records.readUInt16BE(v) === TLS13) return true;
      return false;
    }
    at = body + len;
  }
  return at === extensionsEnd ? false : undefined;
}

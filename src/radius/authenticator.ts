// Authenticator and Message-Authenticator computation (RFC 2865 3, RFC 2866 3, RFC 3579 3.2, RFC 5176 3.5).
// Received buffers are never mutated: they may be cached for duplicate detection and resent byte for byte.
import { timingSafeEqual } from 'node:crypto';
import { hmacMd5, md5Of } from './md5.js';
import { HEADER, MAX_PACKET, MIN_PACKET } from './packet.js';

const AUTH_START = 4;
const AUTH_LENGTH = 16;
const ZERO_AUTH = Buffer.alloc(AUTH_LENGTH);

/**
 * MD5(code|id|length|RequestAuth|attributes|secret) over the whole buffer, which already holds the
 * Request Authenticator (or 16 zero octets, for computed request authenticators) in bytes 4..20.
 */
export function responseAuthenticator(packetWithRequestAuth: Buffer, secret: Buffer): Buffer {
  return md5Of(packetWithRequestAuth, secret);
}

/** HMAC-MD5(secret, packet) with the 16 bytes at maOffset taken as zero; works on a copy. */
export function computeMessageAuthenticator(packet: Buffer, maOffset: number, secret: Buffer): Buffer {
  if (!Number.isInteger(maOffset) || maOffset < HEADER || maOffset + AUTH_LENGTH > packet.length) {
    throw new RangeError(`Message-Authenticator offset ${maOffset} outside a ${packet.length}-byte packet`);
  }
  return hmacMd5(secret, packet, maOffset, AUTH_LENGTH);
}

/**
 * Checks the Message-Authenticator at maOffset (as reported by decodePacket). authenticatorForCheck,
 * when given, stands in for bytes 4..20: the Request Authenticator when checking a reply, 16 zero
 * octets for Accounting/Disconnect/CoA requests. Returns false (never throws) on any malformed input.
 */
export function verifyMessageAuthenticator(
  raw: Buffer,
  maOffset: number,
  secret: Buffer,
  authenticatorForCheck?: Buffer,
): boolean {
  if (!Number.isInteger(maOffset) || maOffset < HEADER || maOffset + AUTH_LENGTH > raw.length) return false;
  if (authenticatorForCheck !== undefined && authenticatorForCheck.length !== AUTH_LENGTH) return false;
  const expected = hmacMd5(secret, raw, maOffset, AUTH_LENGTH, authenticatorForCheck);
  return timingSafeEqual(expected, raw.subarray(maOffset, maOffset + AUTH_LENGTH));
}

// The packet as the Length field delimits it, or undefined when the header is unusable; lets the
// verifiers accept either decodePacket's raw or a padded datagram without hashing the padding.
function framed(buf: Buffer): Buffer | undefined {
  if (buf.length < MIN_PACKET) return undefined;
  const length = buf.readUInt16BE(2);
  if (length < MIN_PACKET || length > MAX_PACKET || length > buf.length) return undefined;
  return buf.subarray(0, length);
}

/**
 * For Accounting-Request, Disconnect-Request and CoA-Request, whose Request Authenticator is
 * MD5(code|id|length|16 zero octets|attributes|secret) rather than random.
 */
export function verifyRequestAuthenticator(raw: Buffer, secret: Buffer): boolean {
  const p = framed(raw);
  if (p === undefined) return false;
  const expected = md5Of(p.subarray(0, AUTH_START), ZERO_AUTH, p.subarray(HEADER), secret);
  return timingSafeEqual(expected, p.subarray(AUTH_START, HEADER));
}

/** Checks a reply's Response Authenticator against the Request Authenticator we sent. */
export function verifyResponseAuthenticator(rawReply: Buffer, requestAuthenticator: Buffer, secret: Buffer): boolean {
  const p = framed(rawReply);
  if (p === undefined || requestAuthenticator.length !== AUTH_LENGTH) return false;
  const expected = md5Of(p.subarray(0, AUTH_START), requestAuthenticator, p.subarray(HEADER), secret);
  return timingSafeEqual(expected, p.subarray(AUTH_START, HEADER));
}

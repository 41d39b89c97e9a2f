import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const digest = (s: string | Buffer): Buffer => createHash('sha256').update(s).digest();

/**
 * Constant-time equality of two secrets of any length: comparing SHA-256 digests keeps both the
 * content and the length from leaking through timing.
 */
export function secretEquals(given: string | Buffer, expected: string | Buffer): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** A fresh unguessable value for session ids and CSRF tokens (256 bits, URL-safe). */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** Session ids are kept as digests: a dump of the table does not hand out live cookies. */
export const tokenDigest = (s: string | Buffer): string => digest(s).toString('hex');

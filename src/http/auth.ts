// Bearer tokens, compared in constant time: both sides are hashed to SHA-256 first, so neither the
// content nor the length of a token leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

function digest(b: Buffer | string): Buffer {
  return createHash('sha256').update(b).digest();
}

/** True when the request's `Authorization: Bearer …` matches one of `tokens` (undefined ones skipped). */
export function bearerMatches(req: http.IncomingMessage, tokens: readonly (Buffer | undefined)[]): boolean {
  const h = req.headers.authorization;
  if (!h || !h.startsWith('Bearer ')) return false;
  const given = digest(h.slice(7).trim());
  let ok = false;
  // Every configured token is compared (no early exit), so the answer time does not say which matched.
  for (const t of tokens) if (t !== undefined && timingSafeEqual(given, digest(t))) ok = true;
  return ok;
}

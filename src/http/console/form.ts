import type http from 'node:http';
import { readBody } from '../body.js';

const MAX_FORM_BYTES = 16 * 1024;

/** An application/x-www-form-urlencoded body; undefined when too large (our forms are tiny). */
export async function readForm(req: http.IncomingMessage): Promise<URLSearchParams | undefined> {
  const body = await readBody(req, MAX_FORM_BYTES);
  return body && new URLSearchParams(body.toString('utf8'));
}

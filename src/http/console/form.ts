import type http from 'node:http';

const MAX_FORM_BYTES = 16 * 1024;

/** An application/x-www-form-urlencoded body; undefined when too large (our forms are tiny). */
export async function readForm(req: http.IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    const b = c as Buffer;
    n += b.length;
    if (n > MAX_FORM_BYTES) return undefined;
    chunks.push(b);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

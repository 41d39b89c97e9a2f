import type http from 'node:http';

/** The request body, or undefined once it passes `max` bytes (the rest is not read into memory). */
export async function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    const b = c as Buffer;
    n += b.length;
    if (n > max) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

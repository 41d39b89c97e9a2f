// The one place revocation talks HTTP: a request with a deadline and a bounded body. Used for CRL
// downloads (conditional GET) and OCSP (POST, or GET for small requests).

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  maxBytes: number;
}

export class HttpFetchError extends Error {
  override name = 'HttpFetchError';
}

export type HttpFetch = (req: HttpRequest) => Promise<HttpResult>;

export const httpFetch: HttpFetch = async (req) => {
  const signal = AbortSignal.timeout(req.timeoutMs);
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method ?? 'GET',
      headers: req.headers,
      body: req.body ? new Uint8Array(req.body) : undefined,
      signal,
      redirect: 'follow',
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${req.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new HttpFetchError(`${req.url}: ${why}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > req.maxBytes) {
    await res.body?.cancel();
    throw new HttpFetchError(`${req.url}: body of ${declared} bytes exceeds the limit of ${req.maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > req.maxBytes) {
          await reader.cancel();
          throw new HttpFetchError(`${req.url}: body exceeds the limit of ${req.maxBytes} bytes`);
        }
        chunks.push(Buffer.from(value));
      }
    }
  } catch (e) {
    if (e instanceof HttpFetchError) throw e;
    const err = e as Error;
    throw new HttpFetchError(`${req.url}: ${err.name === 'TimeoutError' || err.name === 'AbortError' ? `no complete answer within ${req.timeoutMs} ms` : err.message}`);
  }
  return { status: res.status, headers: res.headers, body: Buffer.concat(chunks, size) };
};

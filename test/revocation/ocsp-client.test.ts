// The OCSP client over real HTTP (a local server answering with openssl-made responses): POST for
// large requests, GET for small ones, timeouts, bounded bodies.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeOcspRequest } from '../../src/revocation/ocsp-codec.js';
import { OcspClient } from '../../src/revocation/ocsp-client.js';
import { NOW, ca, manifest, vector } from './vectors.js';

describe('OCSP client over HTTP', () => {
  let server: http.Server;
  let base: string;
  const seen: { method: string; url: string; type: string | undefined; body: Buffer }[] = [];
  let mode: 'ok' | 'slow' | 'huge' | '500' = 'ok';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, type: req.headers['content-type'], body: Buffer.concat(chunks) });
        if (mode === 'slow') return void setTimeout(() => res.end(vector('resp-good.der')), 1000);
        if (mode === '500') return void res.writeHead(500).end();
        if (mode === 'huge') return void res.writeHead(200).end(Buffer.alloc(2 << 20));
        res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(vector('resp-good.der'));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ocsp`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('GETs a small request: base64 of exactly the DER request, after the URL', async () => {
    mode = 'ok';
    const r = await new OcspClient({ timeoutMs: 2000, nonce: false }).query(base, ca(), manifest.memberSerial, NOW);
    expect(r).toMatchObject({ kind: 'answer', answer: { status: 'good' } });
    const req = seen.at(-1)!;
    expect(req.method).toBe('GET');
    expect(Buffer.from(decodeURIComponent(req.url.replace('/ocsp/', '')), 'base64').equals(encodeOcspRequest(ca(), manifest.memberSerial))).toBe(true);
  });

  it('POSTs application/ocsp-request when the request is larger than the GET limit', async () => {
    mode = 'ok';
    const r = await new OcspClient({ timeoutMs: 2000, nonce: false, maxGetBytes: 10 }).query(base, ca(), manifest.memberSerial, NOW);
    expect(r.kind).toBe('answer');
    const req = seen.at(-1)!;
    expect(req).toMatchObject({ method: 'POST', url: '/ocsp', type: 'application/ocsp-request' });
    expect(req.body.equals(encodeOcspRequest(ca(), manifest.memberSerial))).toBe(true);
  });

  it('sends a nonce when configured; a response without one is taken and noted', async () => {
    mode = 'ok';
    const r = await new OcspClient({ timeoutMs: 2000, nonce: true }).query(base, ca(), manifest.memberSerial, NOW);
    expect(r).toMatchObject({ kind: 'answer', answer: { nonceEchoed: false } });
    const der = Buffer.from(decodeURIComponent(seen.at(-1)!.url.replace('/ocsp/', '')), 'base64');
    expect(der.length).toBe(encodeOcspRequest(ca(), manifest.memberSerial, Buffer.alloc(16)).length);
  });

  it('gives up after timeoutMs, on HTTP errors and on oversized bodies, with the reason', async () => {
    const client = new OcspClient({ timeoutMs: 200, nonce: false, breaker: { threshold: 100, baseBackoffMs: 1, maxBackoffMs: 1 } });
    mode = 'slow';
    const t = Date.now();
    expect(await client.query(base, ca(), manifest.memberSerial, NOW)).toMatchObject({ kind: 'unavailable', why: expect.stringMatching(/no answer within 200 ms/) });
    expect(Date.now() - t).toBeLessThan(900);
    mode = '500';
    expect(await client.query(base, ca(), manifest.memberSerial, NOW)).toMatchObject({ kind: 'unavailable', why: expect.stringMatching(/HTTP 500/) });
    mode = 'huge';
    expect(await client.query(base, ca(), manifest.memberSerial, NOW)).toMatchObject({ kind: 'unavailable', why: expect.stringMatching(/exceeds the limit/) });
  });
});

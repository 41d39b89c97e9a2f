// TLS hygiene of the server context, driven in memory: a node:tls client (OpenSSL) over a pipe
// against TlsEngine. TLS 1.0/1.1 refused, renegotiation refused, no compression, AEAD suites with
// forward secrecy only.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeServerContext } from '../../src/tls/context.js';
import { TlsEngine } from '../../src/tls/engine.js';
import { MemoryPipe } from '../../src/tls/memory-pipe.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';

const turns = async (n = 6) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

interface Run {
  client: tls.TLSSocket;
  server: TlsEngine;
  clientError: Error | undefined;
  serverState: string;
  serverError: string | undefined;
  secure: boolean;
  pump(): Promise<void>;
}

let pki: TestPki;
let context: tls.SecureContext;
beforeAll(() => {
  pki = makeTestPki();
  context = makeServerContext({ certificate: pki.serverCert, privateKey: pki.serverKey, minVersion: '1.2', sessionLifetimeSeconds: 0 });
});

async function handshake(opts: tls.ConnectionOptions): Promise<Run> {
  const pipe = new MemoryPipe();
  const m = pki.member('alice');
  const client = tls.connect({ socket: pipe, ca: readFileSync(pki.caCert), cert: readFileSync(m.cert), key: readFileSync(m.key), checkServerIdentity: () => undefined, ...opts });
  const run: Run = {
    client,
    server: new TlsEngine(context),
    clientError: undefined,
    serverState: 'handshaking',
    serverError: undefined,
    secure: false,
    async pump() {
      for (let i = 0; i < 20; i++) {
        await turns();
        const out = pipe.collect();
        if (out.length === 0) break;
        const step = await run.server.feed(out);
        run.serverState = step.state;
        run.serverError ??= step.error;
        if (step.output.length) pipe.deliver(step.output);
      }
      await turns();
    },
  };
  client.on('error', (e) => (run.clientError ??= e));
  client.on('secureConnect', () => (run.secure = true));
  client.on('data', () => undefined);
  await run.pump();
  return run;
}

/** A raw TLS 1.2 ClientHello with chosen suites and compression methods (Node cannot offer compression). */
function rawClientHello(suites: number[], compression: number[]): Buffer {
  const ext = (type: number, body: Buffer) => Buffer.concat([u16(type), u16(body.length), body]);
  const u16 = (n: number) => Buffer.from([n >> 8, n & 255]);
  const list16 = (items: number[]) => Buffer.concat([u16(items.length * 2), ...items.map(u16)]);
  const extensions = Buffer.concat([
    ext(10, list16([0x001d, 0x0017])), // supported_groups: x25519, secp256r1
    ext(11, Buffer.from([1, 0])), // ec_point_formats: uncompressed
    ext(13, list16([0x0804, 0x0401, 0x0403])), // signature_algorithms
  ]);
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
    list16(suites),
    Buffer.from([compression.length, ...compression]),
    u16(extensions.length),
    extensions,
  ]);
  const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 255]), body]);
  return Buffer.concat([Buffer.from([22, 3, 1]), u16(hs.length), hs]);
}

/** The ServerHello's cipher suite and compression method from the server's first flight. */
function serverHello(flight: Buffer): { suite: number; compression: number } | undefined {
  if (flight[0] !== 22 || flight[5] !== 2) return undefined;
  const sidLen = flight[5 + 4 + 2 + 32]!;
  const at = 5 + 4 + 2 + 32 + 1 + sidLen;
  return { suite: flight.readUInt16BE(at), compression: flight[at + 2]! };
}

describe('TLS hygiene of the EAP-TLS server', () => {
  it('completes TLS 1.2 and 1.3 with an AEAD suite with forward secrecy', async () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const r = await handshake({ maxVersion });
      expect(r.secure, String(r.clientError)).toBe(true);
      const c = r.client.getCipher();
      expect(c.version).toBe(maxVersion);
      expect(c.name).toMatch(/GCM|CHACHA20/);
      if (maxVersion === 'TLSv1.2') expect(c.standardName).toMatch(/^TLS_(ECDHE|DHE)_/);
      r.client.destroy();
      r.server.destroy();
    }
  });

  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    it(`refuses ${version}`, async () => {
      // SECLEVEL=0 so the client's own OpenSSL agrees to offer the old protocol at all.
      const r = await handshake({ minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' });
      expect(r.secure).toBe(false);
      expect(r.serverState).toBe('failed');
      expect(r.serverError).toMatch(/VERSION|PROTOCOL/i);
      r.client.destroy();
      r.server.destroy();
    });
  }

  it('refuses suites without forward secrecy or without AEAD (RSA key exchange, CBC)', async () => {
    for (const ciphers of ['AES128-SHA:AES256-SHA', 'AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384']) {
      const r = await handshake({ maxVersion: 'TLSv1.2', ciphers });
      expect(r.secure, ciphers).toBe(false);
      expect(r.serverState).toBe('failed');
      r.client.destroy();
      r.server.destroy();
    }
  });

  it('refuses renegotiation from a TLS 1.2 client', async () => {
    const r = await handshake({ maxVersion: 'TLSv1.2' });
    expect(r.secure).toBe(true);
    let renegotiated: Error | null | undefined;
    const asked = r.client.renegotiate({ rejectUnauthorized: false }, (err) => (renegotiated = err));
    expect(asked).toBe(true);
    await r.pump();
    await turns(20);
    // The server answers the new ClientHello with a no_renegotiation alert; the client gives up.
    expect(String(r.clientError?.message ?? renegotiated?.message)).toMatch(/no renegotiation/i);
    expect(r.client.isSessionReused()).toBe(false);
    expect(r.client.getProtocol()).toBe('TLSv1.2');
    r.client.destroy();
    r.server.destroy();
  });

  it('never compresses: it picks the null method when deflate is offered, and refuses deflate alone', async () => {
    const suites = [0xc02f, 0xc030, 0x009c]; // ECDHE-RSA-AES128-GCM, ECDHE-RSA-AES256-GCM, RSA-AES128-GCM
    const both = new TlsEngine(context);
    const hello = serverHello((await both.feed(rawClientHello(suites, [1, 0]))).output);
    both.destroy();
    expect(hello).toBeDefined();
    expect(hello!.compression).toBe(0);
    expect([0xc02f, 0xc030]).toContain(hello!.suite); // never the RSA key exchange one
    const deflateOnly = new TlsEngine(context);
    const step = await deflateOnly.feed(rawClientHello(suites, [1]));
    deflateOnly.destroy();
    expect(step.state).toBe('failed');
    expect(serverHello(step.output)).toBeUndefined();
  });

  it('reads the key files once, at context creation: a login after the files vanish still works', async () => {
    const { copyFileSync, rmSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'certgate-keyonce-'));
    copyFileSync(pki.serverCert, join(dir, 's.pem'));
    copyFileSync(pki.serverKey, join(dir, 's.key'));
    const ctx = makeServerContext({ certificate: join(dir, 's.pem'), privateKey: join(dir, 's.key'), minVersion: '1.2', sessionLifetimeSeconds: 0 });
    rmSync(dir, { recursive: true });
    const saved = context;
    context = ctx;
    try {
      const r = await handshake({ maxVersion: 'TLSv1.3' });
      expect(r.secure).toBe(true);
      r.client.destroy();
      r.server.destroy();
    } finally {
      context = saved;
    }
  });
});

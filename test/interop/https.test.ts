// The http listener with TLS (it carries the admin token), and the warning when it is exposed
// beyond loopback without TLS.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPki, makeTestPki } from '../helpers/pki.js';
import { type GatewayProcess, startGateway, tempDir, writeConfig, gatewayYaml } from '../helpers/gateway-process.js';
import { loadConfig } from '../../src/config/load.js';

const base = (pki: TestPki, http: string) => gatewayYaml(pki, `${http}`, { tls: `  workers: 0` });

describe('http listener over TLS', () => {
  let pki: TestPki;
  let gw: GatewayProcess;
  beforeAll(async () => {
    pki = makeTestPki();
    const dir = tempDir();
    gw = await startGateway(
      writeConfig(dir, base(pki, `http:\n  listen: "127.0.0.1:0"\n  adminToken: a-long-enough-admin-token\n  tls: { certificate: ${pki.serverCert}, privateKey: ${pki.serverKey} }\n`)),
      dir,
    );
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('serves /readyz and the admin API over HTTPS', async () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port: gw.httpPort, path, ca: readFileSync(pki.caCert), servername: 'radius.demo.jaist.ac.jp', headers }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/v1/decisions?member=alice@jaist.ac.jp')).status).toBe(401);
    expect((await get('/v1/decisions?member=alice@jaist.ac.jp', { authorization: 'Bearer a-long-enough-admin-token' })).status).toBe(200);
  });

  it('warns when the listener leaves loopback without TLS', () => {
    const dir = tempDir();
    const c = loadConfig(writeConfig(dir, base(pki, 'http:\n  listen: "0.0.0.0:9812"\n  adminToken: a-long-enough-admin-token\n')));
    expect(c.warnings.join('\n')).toMatch(/not loopback and http\.tls is not set/);
  });
});

// The eduroam keys of the configuration: proxy realms (UDP and RadSec servers, secrets), CUI key,
// accounting listeners and log, F-Ticks; and the errors that name the key.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFolder } from '../helpers/config-files.js';

const { dir, load: loadText, problems: problemsOf } = configFolder('certgate-eduroam-config-', ['server.pem', 'server.key', 'ca.pem', 'rs.pem', 'rs.key']);
writeFileSync(join(dir, 'cui.txt'), 'a-cui-key-of-enough-length\n', { mode: 0o600 });

const base = (radius = '') => `radius:
  listen: ["127.0.0.1:1812"]
${radius}  clients:
    - { name: ap, network: 10.0.0.0/8, secret: testing123 }
tls:
  certificate: server.pem
  privateKey: server.key
  trustAnchors: [ca.pem]
store:
  path: data/certgate.db
`;
const load = (extra: string, radius = '') => loadText(base(radius) + extra);
const problems = (extra: string): string[] => problemsOf(base() + extra);

describe('eduroam configuration', () => {
  it('defaults: no proxy realms, no accounting listener, F-Ticks off, generated CUI key', () => {
    const c = load('identity:\n  realms: [jaist.ac.jp]\n');
    expect(c.proxy).toMatchObject({ realms: [], timeoutMs: 2000, tries: 2, maxOutstanding: 2048, socketsPerServer: 4 });
    expect(c.radius.accountingListen).toEqual([]);
    expect(c.accounting.log).toBeUndefined();
    expect(c.fticks).toEqual({ enabled: false, visCountry: '', visInst: '1jaist.ac.jp', csi: 'hashed', file: undefined });
    expect(c.identity.cuiKey).toBeUndefined();
  });

  it('loads the proxy realms of the issue, RadSec servers, CUI key file, accounting and F-Ticks', () => {
    const c = load(`identity:
  realms: [jaist.ac.jp]
  cuiKeyFile: cui.txt
proxy:
  realms:
    - realm: Example.AC.jp
      servers: ["192.0.2.10:1812", "192.0.2.11:1812"]
      secret: s3cret
    - realm: "*"
      servers:
        - address: "192.0.2.20:2083"
          radsec: { certificate: rs.pem, privateKey: rs.key, ca: ca.pem, serverName: flr.eduroam.jp }
accounting:
  log: accounting.jsonl
fticks:
  enabled: true
  visCountry: JP
  csi: vendor-hashed
`, '  accountingListen: ["127.0.0.1:1813", "[::1]:1813"]\n');
    expect(c.identity.cuiKey?.toString()).toBe('a-cui-key-of-enough-length');
    expect(c.radius.accountingListen).toEqual([
      { host: '127.0.0.1', port: 1813, family: 4 },
      { host: '::1', port: 1813, family: 6 },
    ]);
    expect(c.proxy.realms[0]).toMatchObject({ realm: 'example.ac.jp', servers: [{ address: { host: '192.0.2.10', port: 1812 }, radsec: undefined }, { address: { host: '192.0.2.11' } }] });
    expect(c.proxy.realms[0]!.secret?.toString()).toBe('s3cret');
    expect(c.proxy.realms[1]).toMatchObject({ realm: '*', secret: undefined, servers: [{ radsec: { certificate: join(dir, 'rs.pem'), ca: join(dir, 'ca.pem'), serverName: 'flr.eduroam.jp' } }] });
    expect(c.accounting.log).toBe(join(dir, 'accounting.jsonl'));
    expect(c.fticks).toMatchObject({ enabled: true, visCountry: 'JP', visInst: '1jaist.ac.jp', csi: 'vendor-hashed' });
  });

  it('names the key of a malformed proxy entry', () => {
    expect(problems(`identity:
  realms: [jaist.ac.jp]
proxy:
  realms:
    - realm: "bad realm"
      servers: ["nowhere", { address: "192.0.2.1:2083", radsec: { certificate: rs.pem } }]
`)).toEqual([
      'proxy.realms[0].realm: "bad realm" is not a realm such as example.ac.jp, or "*" for every other realm',
      'proxy.realms[0].servers[0]: "nowhere" is not host:port (IPv6 as [addr]:port)',
      'proxy.realms[0].servers[1].radsec.privateKey: is required',
      'proxy.realms[0].servers[1].radsec.ca: is required',
    ]);
  });

  it('names the key and the fix for every mistake', () => {
    const p = problems(`identity:
  realms: [jaist.ac.jp]
  cuiKey: short
proxy:
  realms:
    - realm: example.ac.jp
      servers: ["192.0.2.10:1812"]
    - realm: example.ac.jp
      servers: ["192.0.2.10:1812"]
      secret: x
    - realm: lab.jaist.ac.jp
      servers: ["192.0.2.10:1812"]
      secret: x
fticks:
  enabled: true
`);
    expect(p).toEqual(
      expect.arrayContaining([
        'identity.cuiKey: must be at least 16 characters',
        expect.stringMatching(/^proxy\.realms\[0\]: needs exactly one of secret, secretFile or secretEnv/),
        expect.stringMatching(/^proxy\.realms\[1\]\.realm: realm "example\.ac\.jp" is routed twice/),
        expect.stringMatching(/^proxy\.realms\[2\]\.realm: .*decided here, never proxied/),
        'fticks.visCountry: is required when fticks.enabled is true (e.g. JP)',
      ]),
    );
  });
});

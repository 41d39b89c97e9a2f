// `revocation:` in the config file: defaults, the two CRL source forms, and errors that name the key.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseYaml, configFolder } from '../helpers/config-files.js';

const { dir, load: loadText, problems: problemsOf } = configFolder('certgate-revocation-config-', ['server.pem', 'server.key', 'ca.pem', 'intermediate.pem']);
const base = baseYaml('    - { name: lo, network: 127.0.0.1, secret: testing123 }');
const load = (extra: string) => loadText(base + extra);
const problems = (extra: string): string[] => problemsOf(base + extra);

describe('revocation config', () => {
  it('is absent unless configured: only the store decides', () => {
    expect(load('').revocation).toBeUndefined();
  });

  it('takes the keys of the issue, with documented defaults', () => {
    const c = load(`revocation:
  crls:
    - file: upki-ca.crl.pem
    - url: http://crl.example/ca.crl
      refreshSeconds: 300
    - file: inter.crl
      issuer: intermediate.pem
  crlPolicy:
    maxStaleSeconds: 0
    softFail: false
  ocsp:
    enabled: true
    url: http://ocsp.example/
    timeoutMs: 2000
    softFail: false
    maxCacheSeconds: 3600
`).revocation!;
    expect(c.crls).toEqual([
      { kind: 'file', file: join(dir, 'upki-ca.crl.pem'), issuer: undefined },
      { kind: 'url', url: 'http://crl.example/ca.crl', refreshSeconds: 300, issuer: undefined },
      { kind: 'file', file: join(dir, 'inter.crl'), issuer: join(dir, 'intermediate.pem') },
    ]);
    expect(c.ocsp).toEqual({ enabled: true, url: 'http://ocsp.example/', timeoutMs: 2000, softFail: false, maxCacheSeconds: 3600, nonce: false });
    expect(c.useCertificateUrls).toBe(false);
    expect(c.cacheSize).toBe(100_000);
    expect(load('revocation:\n  crls: [{ url: "http://crl.example/x.crl" }]\n').revocation!.crls[0]).toMatchObject({ refreshSeconds: 300 });
    expect(load('revocation: {}\n').revocation).toMatchObject({ crls: [], ocsp: { enabled: false }, crlPolicy: { maxStaleSeconds: 0, softFail: false } });
  });

  it('names the key and the fix when something is wrong', () => {
    expect(problems('revocation:\n  crls: [{ file: a.crl, url: "http://x/y" }]\n')).toEqual(['revocation.crls[0]: needs exactly one of file or url']);
    expect(problems('revocation:\n  crls: [{ file: a.crl, refreshSeconds: 60 }]\n')[0]).toMatch(/^revocation\.crls\[0\]\.refreshSeconds: only with url/);
    expect(problems('revocation:\n  crls: [{ url: "ftp://x/y" }]\n')[0]).toMatch(/^revocation\.crls\[0\]\.url: .*http:\/\//);
    expect(problems('revocation:\n  ocsp: { enabled: true }\n')[0]).toMatch(/^revocation\.ocsp\.url: ocsp\.enabled needs a responder/);
    expect(problems('revocation:\n  ocsp: { enabled: true, timeoutMs: 5 }\n')[0]).toMatch(/^revocation\.ocsp\.timeoutMs: must be between 100/);
    expect(problems('revocation:\n  crlpolicy: {}\n')[0]).toMatch(/^revocation\.crlpolicy: unknown key/);
    expect(problems('revocation:\n  crls: [{ file: a.crl, issuer: nope.pem }]\n')[0]).toMatch(/^revocation\.crls\[0\]\.issuer: file .* does not exist/);
    expect(problems('revocation:\n  crls: [{ file: a.crl }, { file: a.crl }]\n')[0]).toMatch(/listed twice/);
  });

  it('accepts OCSP via the certificates\' AIA only when asked to', () => {
    expect(load('revocation:\n  useCertificateUrls: true\n  ocsp: { enabled: true }\n').revocation!.ocsp.url).toBeUndefined();
  });
});

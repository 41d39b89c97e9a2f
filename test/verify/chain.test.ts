// The chain verifier on a two-level PKI made with openssl at test time: intermediates from the
// peer, the leaf alone on resumption, weak signatures, wrong issuers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainVerifier } from '../../src/verify/chain.js';
import { parseCertificates } from '../../src/verify/cert-facts.js';

const dir = mkdtempSync(join(tmpdir(), 'certgate-chain-'));
const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const der = (f: string) => parseCertificates(readFileSync(join(dir, f)))[0]!;

function issue(name: string, issuer: string, ext: string, digest = 'sha256') {
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}/emailAddress=${name}@jaist.ac.jp`);
  writeFileSync(join(dir, `${name}.ext`), ext);
  ossl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', String(Math.floor(Math.random() * 1e9)), '-days', '3650', `-${digest}`, '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

const CA = 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
const LEAF = 'basicConstraints=CA:false\nextendedKeyUsage=clientAuth\nsubjectAltName=email:copy\nauthorityKeyIdentifier=keyid\n';

describe('ChainVerifier', () => {
  beforeAll(() => {
    ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/CN=Root', '-days', '3650', '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-subj', '/CN=Root', '-days', '3650', '-addext', 'basicConstraints=critical,CA:true');
    issue('inter', 'root', CA);
    issue('leaf', 'inter', LEAF);
    issue('leaf2', 'inter', LEAF);
    issue('weak', 'inter', LEAF, 'sha1');
  });

  it('builds leaf → intermediate (from the peer) → anchor', () => {
    const v = new ChainVerifier([readFileSync(join(dir, 'root.pem'))]);
    const r = v.verify([der('leaf.pem'), der('inter.pem')]);
    expect(r.ok).toBe(true);
    expect(r.ok && r.path.map((c) => c.facts.subject)).toEqual([expect.stringContaining('CN=leaf'), expect.stringContaining('CN=inter')]);
  });

  it('is untrusted without the intermediate, unless this leaf came with it before (resumption)', () => {
    const v = new ChainVerifier([readFileSync(join(dir, 'root.pem'))]);
    expect(v.verify([der('leaf2.pem')])).toMatchObject({ ok: false, reason: 'untrusted_issuer' });
    expect(v.verify([der('leaf2.pem'), der('inter.pem')]).ok).toBe(true);
    // A new verifier (after a reload) still knows the leaf's intermediates.
    const after = new ChainVerifier([readFileSync(join(dir, 'root.pem'))]);
    expect(after.verify([der('leaf2.pem')]).ok).toBe(true);
  });

  it('refuses a SHA-1 signature below the anchor', () => {
    const v = new ChainVerifier([readFileSync(join(dir, 'root.pem'))]);
    expect(v.verify([der('weak.pem'), der('inter.pem')])).toMatchObject({ ok: false, reason: 'weak_signature' });
  });

  it('refuses a chain whose names match an anchor but whose signature does not (same subject, other key)', () => {
    const v = new ChainVerifier([readFileSync(join(dir, 'other.pem'))]);
    const r = v.verify([der('leaf.pem'), der('inter.pem')]);
    expect(r.ok).toBe(false);
    expect(['bad_signature', 'untrusted_issuer']).toContain(!r.ok && r.reason);
  });

  it('refuses an empty chain and garbage', () => {
    const v = new ChainVerifier([readFileSync(join(dir, 'root.pem'))]);
    expect(v.verify([])).toMatchObject({ ok: false, reason: 'no_certificate' });
    expect(v.verify([Buffer.from('not a certificate')])).toMatchObject({ ok: false, reason: 'bad_certificate' });
  });
});

// Revocation test material made with the real `openssl` CLI: more members in a (fresh) demo CA
// database, a certificate the CA signed but never recorded, CRLs from `openssl ca -gencrl`, a small
// root → intermediate → member PKI, and `openssl ocsp` as the responder on a free loopback port.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { TestPki } from './pki.js';

function run(args: string[], env?: NodeJS.ProcessEnv): string {
  try {
    return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  } catch (e) {
    throw new Error(`openssl ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}

const caEnv = (pki: TestPki) => ({ CA_DIR: pki.caDir });

/** A new member of the demo CA (member_ext, e-mail name@jaist.ac.jp), recorded in its database. */
export function issueMember(pki: TestPki, name: string): { cert: string; key: string } {
  const key = join(pki.dir, 'members', `${name}.key`);
  const cert = join(pki.dir, 'members', `${name}.pem`);
  const csr = join(pki.dir, 'members', `${name}.csr`);
  run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
  run(['req', '-new', '-config', pki.opensslCnf, '-key', key, '-subj', `/C=JP/O=JAIST/OU=student/CN=${name}/emailAddress=${name}@jaist.ac.jp`, '-out', csr]);
  run(['ca', '-batch', '-notext', '-config', pki.opensslCnf, '-extensions', 'member_ext', '-days', '3650', '-in', csr, '-out', cert], caEnv(pki));
  return { cert, key };
}

/** Signed with the CA's key but never entered in its database: its responder answers "unknown". */
export function signStray(pki: TestPki, name: string, serialHex: string): { cert: string; key: string } {
  const key = join(pki.dir, 'members', `${name}.key`);
  const cert = join(pki.dir, 'members', `${name}.pem`);
  const csr = join(pki.dir, 'members', `${name}.csr`);
  const ext = join(pki.dir, 'members', `${name}.ext`);
  run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
  run(['req', '-new', '-config', pki.opensslCnf, '-key', key, '-subj', `/C=JP/O=JAIST/CN=${name}/emailAddress=${name}@jaist.ac.jp`, '-out', csr]);
  writeFileSync(ext, `basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\nsubjectAltName=email:${name}@jaist.ac.jp\n`);
  run(['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-set_serial', `0x${serialHex}`, '-days', '3650', '-sha256', '-extfile', ext, '-out', cert]);
  return { cert, key };
}

export function revoke(cnf: string, env: NodeJS.ProcessEnv, cert: string, reason = 'keyCompromise'): void {
  run(['ca', '-config', cnf, '-revoke', cert, '-crl_reason', reason], env);
}
export const revokeMember = (pki: TestPki, cert: string, reason?: string) => revoke(pki.opensslCnf, caEnv(pki), cert, reason);

/** `openssl ca -gencrl` of the demo CA into `out` (PEM); `seconds` until nextUpdate (default 30 days). */
export function genCrl(pki: TestPki, out: string, seconds = 30 * 86_400): void {
  run(['ca', '-batch', '-config', pki.opensslCnf, '-gencrl', '-crlsec', String(seconds), '-out', out], caEnv(pki));
}

/** The same CRL with one bit of its signature flipped (DER). */
export function tamperSignature(crlPem: string, out: string): void {
  const der = execFileSync('openssl', ['crl', '-in', crlPem, '-outform', 'DER']);
  der[der.length - 10]! ^= 0x01;
  writeFileSync(out, der);
}

export interface TwoLevelPki {
  rootCert: string;
  intermediateCert: string;
  memberCert: string;
  memberKey: string;
  /** Leaf and intermediate in one PEM file, as a supplicant's client_cert. */
  memberChain: string;
  revokeIntermediate(): void;
  genCrl(out: string): void;
}

/** Root CA (an `openssl ca` database) → intermediate CA → member ivan@jaist.ac.jp. */
export function makeTwoLevelPki(dir: string): TwoLevelPki {
  const root = join(dir, 'root');
  const inter = join(dir, 'intermediate');
  for (const d of [root, inter]) {
    mkdirSync(join(d, 'newcerts'), { recursive: true });
    writeFileSync(join(d, 'index.txt'), '');
    writeFileSync(join(d, 'index.txt.attr'), 'unique_subject = no\n');
    writeFileSync(join(d, 'serial'), '3000\n');
    writeFileSync(join(d, 'crlnumber'), '01\n');
    writeFileSync(
      join(d, 'ca.cnf'),
      `[ ca ]
default_ca = d
[ d ]
dir = ${d}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/ca.pem
private_key = $dir/ca.key
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 3650
default_crl_days = 30
policy = any
unique_subject = no
email_in_dn = yes
[ any ]
countryName = optional
organizationName = optional
commonName = supplied
emailAddress = optional
[ req ]
distinguished_name = dn
[ dn ]
[ v3_intermediate ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ member_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectAltName = email:copy
`,
    );
  }
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(root, 'ca.key'), '-out', join(root, 'ca.pem'), '-subj', '/C=JP/O=Two Level/CN=Two Level Root CA', '-days', '3650',
    '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(inter, 'ca.key'), '-subj', '/C=JP/O=Two Level/CN=Two Level Intermediate CA', '-out', join(inter, 'ca.csr')]);
  run(['ca', '-batch', '-notext', '-config', join(root, 'ca.cnf'), '-extensions', 'v3_intermediate', '-in', join(inter, 'ca.csr'), '-out', join(inter, 'ca.pem')]);
  const memberKey = join(dir, 'ivan.key');
  const memberCert = join(dir, 'ivan.pem');
  run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', memberKey, '-subj', '/C=JP/O=JAIST/CN=Ivan/emailAddress=ivan@jaist.ac.jp', '-out', join(dir, 'ivan.csr')]);
  run(['ca', '-batch', '-notext', '-config', join(inter, 'ca.cnf'), '-extensions', 'member_ext', '-in', join(dir, 'ivan.csr'), '-out', memberCert]);
  const memberChain = join(dir, 'ivan-chain.pem');
  writeFileSync(memberChain, readFileSync(memberCert, 'utf8') + readFileSync(join(inter, 'ca.pem'), 'utf8'));
  return {
    rootCert: join(root, 'ca.pem'),
    intermediateCert: join(inter, 'ca.pem'),
    memberCert,
    memberKey,
    memberChain,
    revokeIntermediate: () => revoke(join(root, 'ca.cnf'), {}, join(inter, 'ca.pem'), 'cACompromise'),
    genCrl: (out) => void run(['ca', '-batch', '-config', join(root, 'ca.cnf'), '-gencrl', '-out', out]),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface OcspResponder {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `openssl ocsp` answering for the demo CA from its index.txt (delegated responder, 10-minute nextUpdate). */
export async function startOcspResponder(pki: TestPki): Promise<OcspResponder> {
  const port = await freePort();
  const child = spawn('openssl', ['ocsp', '-index', join(pki.caDir, 'index.txt'), '-port', String(port), '-rsigner', pki.ocspCert, '-rkey', pki.ocspKey, '-CA', pki.caCert, '-nmin', '10'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Ready once it says so. (Not by connecting to it: openssl ocsp serves one connection at a time
  // and a connection closed without a request leaves it waiting for good.)
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`openssl ocsp did not start on port ${port}: ${stderr}`)), 5000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('waiting for OCSP client connections')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`openssl ocsp exited with ${code}: ${stderr}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

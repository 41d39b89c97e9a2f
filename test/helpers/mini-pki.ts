// A throw-away CA driven through the real `openssl` CLI, so tests see the serials, DNs and
// index.txt lines that production tooling produces. Kept small: the demo PKI lives in scripts/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface IssueOptions {
  /** Hex (with or without 0x); becomes the certificate serial as given. */
  serial: string;
  /** subjectAltName rfc822Name(s). */
  email?: string | string[];
  /** Subject emailAddress attribute. */
  subjectEmail?: string;
  cn?: string;
  ou?: string[];
  /** Only with issue() (openssl ca); sign() always starts now. */
  notBefore?: Date;
  notAfter?: Date;
  /** Only with sign(). */
  days?: number;
}

export interface Issued {
  /** Serial exactly as `openssl x509 -noout -serial` prints it. */
  serial: string;
  pemPath: string;
  pem: string;
  der: Buffer;
}

export interface MiniPki {
  dir: string;
  caCertPath: string;
  indexPath: string;
  newCertsDir: string;
  /** Through `openssl ca`: recorded in index.txt, copied to newcerts/<SERIAL>.pem. */
  issue(opts: IssueOptions): Issued;
  /** Through `openssl x509 -req`: not recorded, so serials may repeat. */
  sign(opts: IssueOptions): Issued;
  /** `openssl ca -revoke` of an issued certificate, with an optional CRL reason. */
  revoke(issued: Issued, reason?: string): void;
  /** `openssl ca -updatedb`: marks expired index entries E. */
  updatedb(): void;
}

export function openssl(args: string[], cwd?: string): string {
  try {
    return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr}`);
  }
}

export function opensslSerial(pemPath: string): string {
  return openssl(['x509', '-in', pemPath, '-noout', '-serial']).trim().replace(/^serial=/, '');
}

/** YYYYMMDDHHMMSSZ, the form `openssl ca -startdate/-enddate` accepts. */
export function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

const DAY = 86_400_000;

export function makeMiniPki(dir: string, caName = 'Mini UPKI CA'): MiniPki {
  mkdirSync(join(dir, 'newcerts'), { recursive: true });
  mkdirSync(join(dir, 'work'), { recursive: true });
  const caCertPath = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const memberKey = join(dir, 'member.key');
  const indexPath = join(dir, 'index.txt');
  const cnf = join(dir, 'ca.cnf');
  writeFileSync(indexPath, '');
  writeFileSync(join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  writeFileSync(
    cnf,
    `[ ca ]
default_ca = mini
[ mini ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/ca.pem
private_key = $dir/ca.key
serial = $dir/serial
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
unique_subject = no
email_in_dn = yes
[ policy_any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
emailAddress = optional
`,
  );
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caCertPath,
    '-subj', `/C=JP/O=National Institute of Informatics/CN=${caName}`, '-days', '3650']);
  // One member key for every certificate: key material is irrelevant to the store and RSA key
  // generation is the slow part.
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', memberKey]);

  let n = 0;
  const prepare = (o: IssueOptions): { csr: string; ext: string; base: string; serialHex: string } => {
    const base = join(dir, 'work', `c${++n}`);
    const parts = ['C=JP', 'O=Japan Advanced Institute of Science and Technology'];
    for (const ou of o.ou ?? []) parts.push(`OU=${ou}`);
    parts.push(`CN=${o.cn ?? `member ${n}`}`);
    if (o.subjectEmail !== undefined) parts.push(`emailAddress=${o.subjectEmail}`);
    openssl(['req', '-new', '-key', memberKey, '-subj', '/' + parts.join('/'), '-out', `${base}.csr`]);
    const emails = o.email === undefined ? [] : Array.isArray(o.email) ? o.email : [o.email];
    const ext = [
      'basicConstraints = CA:FALSE',
      'keyUsage = digitalSignature, keyEncipherment',
      'extendedKeyUsage = clientAuth',
      ...(emails.length ? [`subjectAltName = ${emails.map((e) => `email:${e}`).join(', ')}`] : []),
    ].join('\n');
    writeFileSync(`${base}.ext`, ext + '\n');
    let serialHex = o.serial.replace(/^0x/i, '').toUpperCase();
    if (serialHex.length % 2) serialHex = '0' + serialHex;
    return { csr: `${base}.csr`, ext: `${base}.ext`, base, serialHex };
  };
  const finish = (pemPath: string): Issued => {
    const derPath = pemPath.replace(/\.pem$/, '.der');
    openssl(['x509', '-in', pemPath, '-outform', 'DER', '-out', derPath]);
    return { serial: opensslSerial(pemPath), pemPath, pem: readFileSync(pemPath, 'utf8'), der: readFileSync(derPath) };
  };

  return {
    dir,
    caCertPath,
    indexPath,
    newCertsDir: join(dir, 'newcerts'),
    issue(o) {
      const p = prepare(o);
      writeFileSync(join(dir, 'serial'), p.serialHex + '\n');
      const notBefore = o.notBefore ?? new Date(Date.now() - DAY);
      const notAfter = o.notAfter ?? new Date(notBefore.getTime() + 365 * DAY);
      openssl(['ca', '-batch', '-config', cnf, '-in', p.csr, '-out', `${p.base}.pem`, '-notext', '-preserveDN',
        '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter), '-extfile', p.ext]);
      return finish(`${p.base}.pem`);
    },
    sign(o) {
      const p = prepare(o);
      openssl(['x509', '-req', '-in', p.csr, '-CA', caCertPath, '-CAkey', caKey, '-set_serial', `0x${p.serialHex}`,
        '-days', String(o.days ?? 365), '-sha256', '-extfile', p.ext, '-out', `${p.base}.pem`]);
      return finish(`${p.base}.pem`);
    },
    revoke(issued, reason) {
      openssl(['ca', '-config', cnf, '-revoke', issued.pemPath, ...(reason ? ['-crl_reason', reason] : [])]);
    },
    updatedb() {
      openssl(['ca', '-config', cnf, '-updatedb']);
    },
  };
}

#!/usr/bin/env node
// A store writer for the kill -9 test: adds certificates (and revokes some) through the BUILT
// SqliteStore in a loop, printing each change only after the store call returned (committed):
//   added SERIAL    revoked SERIAL
// usage: node test/helpers/store-writer.mjs STORE_PATH PREFIX_HEX [COUNT]
import { webcrypto } from 'node:crypto';
import { SqliteStore } from '../../dist/store/sqlite-store.js';
import { x509 } from '../../dist/verify/cert-facts.js';

const [path, prefix, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 100_000);
x509.cryptoProvider.set(webcrypto);
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const caKeys = await webcrypto.subtle.generateKey(alg, false, ['sign', 'verify']);
const leafKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
const notBefore = new Date(Date.now() - 86_400_000);
const notAfter = new Date(Date.now() + 365 * 86_400_000);

const store = SqliteStore.open(path);
const added = [];
for (let i = 0; i < count; i++) {
  const serial = `${prefix}${i.toString(16).padStart(6, '0')}`;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=member ${serial}`,
    issuer: 'CN=Crash Test CA',
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'email', value: `m${serial}@jaist.ac.jp` }])],
  });
  const r = store.add(Buffer.from(cert.rawData), new Date());
  if (r.outcome !== 'added') throw new Error(`add ${serial}: ${r.outcome} ${r.message ?? ''}`);
  process.stdout.write(`added ${r.record.serial}\n`);
  added.push(r.record.serial);
  if (i % 5 === 4) {
    const victim = added[i - 3];
    const v = store.revoke(victim, 'keyCompromise', new Date());
    if (v.outcome !== 'revoked') throw new Error(`revoke ${victim}: ${v.outcome}`);
    process.stdout.write(`revoked ${v.record.serial}\n`);
  }
}
store.close();

// The fixed vectors of test/revocation/vectors/ (made by make-vectors.sh with openssl), and the
// `now` they were made at, so time-dependent checks are tested against a clock we choose.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { caInfo } from '../../src/revocation/ca-info.js';
import { parseCertificates } from '../../src/verify/cert-facts.js';
import { parseCert } from '../../src/verify/chain.js';

const dir = fileURLToPath(new URL('./vectors/', import.meta.url));
export const vector = (name: string): Buffer => readFileSync(`${dir}${name}`);
export const certDer = (name: string): Buffer => parseCertificates(vector(name))[0]!;
export const manifest = JSON.parse(vector('manifest.json').toString()) as { generatedAt: string; memberSerial: string; straySerial: string };
/** A minute after the vectors were made: inside every thisUpdate..nextUpdate window. */
export const NOW = new Date(Date.parse(manifest.generatedAt) + 60_000);
export const ca = () => caInfo(certDer('ca.pem'));
export const otherCa = () => caInfo(certDer('other-ca.pem'));
export const parsed = (name: string) => parseCert(certDer(name));

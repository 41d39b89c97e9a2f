import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certFacts, normaliseSerial, parseCertificates, tryNormaliseSerial } from '../../src/verify/cert-facts.js';
import { makeMiniPki, openssl, type Issued, type MiniPki } from '../helpers/mini-pki.js';

let dir: string;
let pki: MiniPki;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'certgate-facts-'));
  pki = makeMiniPki(dir);
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serial', () => {
  // 16 random bytes with the top bit set (DER adds a 00 byte) and with a leading zero byte
  // (DER drops it): the two ways a random serial's text can go wrong.
  const highBit = Buffer.concat([Buffer.from([0xc3]), randomBytes(15)]).toString('hex');
  const leadingZero = Buffer.concat([Buffer.from([0x00, 0x5a]), randomBytes(14)]).toString('hex');
  const cases = ['00', '01', '7f', '80', 'ff', '0100', '1000', '8000', highBit, randomBytes(16).toString('hex'), leadingZero];

  it.each(cases)('0x%s prints exactly as openssl x509 -noout -serial', (hex) => {
    const c = pki.sign({ serial: hex, email: 'serial@jaist.ac.jp' });
    expect(certFacts(c.der).serial).toBe(c.serial);
    expect(normaliseSerial(hex)).toBe(c.serial);
  });

  it('matches the serials openssl spells 80, 1000 and 01', () => {
    expect(pki.sign({ serial: '80', email: 'a@jaist.ac.jp' }).serial).toBe('80');
    expect(certFacts(pki.sign({ serial: '80', email: 'a@jaist.ac.jp' }).der).serial).toBe('80');
    expect(certFacts(pki.sign({ serial: '1000', email: 'a@jaist.ac.jp' }).der).serial).toBe('1000');
    expect(certFacts(pki.sign({ serial: '1', email: 'a@jaist.ac.jp' }).der).serial).toBe('01');
  });

  it('normalises the spellings operators type', () => {
    expect(normaliseSerial('0a:1B')).toBe('0A1B');
    expect(normaliseSerial('0x0A1b')).toBe('0A1B');
    expect(normaliseSerial('a1b')).toBe('0A1B');
    expect(normaliseSerial('00:80')).toBe('80');
    expect(normaliseSerial('000000')).toBe('00');
    expect(normaliseSerial('0')).toBe('00');
    expect(normaliseSerial(' 0X10 00 ')).toBe('1000');
    expect(tryNormaliseSerial('xyz')).toBeNull();
    expect(tryNormaliseSerial('')).toBeNull();
    expect(tryNormaliseSerial('0x')).toBeNull();
    expect(() => normaliseSerial('12g4')).toThrow(/not a hexadecimal serial/);
  });
});

describe('certFacts', () => {
  let san: Issued;
  beforeAll(() => {
    san = pki.issue({
      serial: '2001',
      email: ['Alice.Smith@JAIST.ac.jp', 'second@jaist.ac.jp'],
      subjectEmail: 'subject@jaist.ac.jp',
      ou: ['Information Science', 'Staff'],
      cn: 'Alice Smith',
      notBefore: new Date('2025-04-01T00:00:00Z'),
      notAfter: new Date('2027-04-01T00:00:00Z'),
    });
  }, 30_000);

  it('takes the member from the first SAN rfc822Name, lowercased, before the subject email', () => {
    expect(certFacts(san.der).member).toBe('alice.smith@jaist.ac.jp');
  });

  it('falls back to the subject emailAddress, lowercased', () => {
    const c = pki.issue({ serial: '2002', subjectEmail: 'Bob@Jaist.AC.JP' });
    expect(certFacts(c.der).member).toBe('bob@jaist.ac.jp');
  });

  it('gives null when the certificate names no e-mail address', () => {
    expect(certFacts(pki.issue({ serial: '2003', cn: 'nobody' }).der).member).toBeNull();
  });

  it('extracts the other facts', () => {
    const f = certFacts(san.der);
    expect(f.issuer).toBe('C=JP, O=National Institute of Informatics, CN=Mini UPKI CA');
    expect(f.subject).toContain('CN=Alice Smith');
    expect(f.ou).toEqual(['Information Science', 'Staff']);
    expect(f.notBefore.toISOString()).toBe('2025-04-01T00:00:00.000Z');
    expect(f.notAfter.toISOString()).toBe('2027-04-01T00:00:00.000Z');
    expect(f.der.equals(san.der)).toBe(true);
    const osslFp = openssl(['x509', '-in', san.pemPath, '-noout', '-fingerprint', '-sha256']).trim();
    expect(f.fingerprint).toBe(osslFp.replace(/^.*=/, '').replace(/:/g, '').toLowerCase());
  });

  it('throws on input that is not a certificate', () => {
    expect(() => certFacts(Buffer.from('not a certificate'))).toThrow();
    expect(() => certFacts(Buffer.alloc(0))).toThrow();
  });
});

describe('parseCertificates', () => {
  it('reads a bundle, skipping keys and text', () => {
    const a = pki.sign({ serial: '3001', email: 'a@jaist.ac.jp' });
    const b = pki.sign({ serial: '3002', email: 'b@jaist.ac.jp' });
    const key = readFileSync(join(dir, 'member.key'), 'utf8');
    const text = `Bag Attributes\nsubject=/CN=a\n${a.pem}\n${key}\nsome comment\n${b.pem.replace(/\n/g, '\r\n')}`;
    const ders = parseCertificates(Buffer.from(text));
    expect(ders.map((d) => certFacts(d).serial)).toEqual(['3001', '3002']);
    expect(ders[0]!.equals(a.der)).toBe(true);
  });

  it('reads a single DER certificate', () => {
    const a = pki.sign({ serial: '3003', email: 'a@jaist.ac.jp' });
    expect(parseCertificates(a.der)).toEqual([a.der]);
  });

  it('returns [] when there is no certificate', () => {
    expect(parseCertificates(Buffer.from('hello'))).toEqual([]);
    expect(parseCertificates(Buffer.alloc(0))).toEqual([]);
    expect(parseCertificates(readFileSync(join(dir, 'member.key')))).toEqual([]);
    expect(parseCertificates(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))).toEqual([]);
  });
});

// The facts every layer needs from a certificate, extracted in one place so the store, policy,
// revocation and CLI can never disagree about what a serial, issuer or member is.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

type X509Module = typeof import('@peculiar/x509');

// @peculiar/x509 loads tsyringe, which refuses to load unless a Reflect metadata polyfill is
// present; reflect-metadata is not a dependency and x509 only needs these three calls (with no
// decorator metadata emitted, every lookup answers undefined). Installed before the library
// loads, which is why the library is required here rather than imported statically: code that
// needs @peculiar/x509 elsewhere should take it from `x509` below.
interface ReflectMetadata {
  getMetadata?: (key: unknown, target: object) => unknown;
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
}
function installReflectMetadataShim(): void {
  const r = Reflect as unknown as ReflectMetadata;
  if (typeof r.getMetadata === 'function') return;
  const store = new WeakMap<object, Map<unknown, unknown>>();
  r.getOwnMetadata = (key, target) => store.get(target)?.get(key);
  r.getMetadata = (key, target) => {
    for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o) as object | null) {
      const v = store.get(o)?.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  r.defineMetadata = (key, value, target) => {
    let m = store.get(target);
    if (m === undefined) {
      m = new Map();
      store.set(target, m);
    }
    m.set(key, value);
  };
}
installReflectMetadataShim();
export const x509 = createRequire(import.meta.url)('@peculiar/x509') as X509Module;

export interface CertFacts {
  serial: string;
  issuer: string;
  subject: string;
  fingerprint: string;
  member: string | null;
  notBefore: Date;
  notAfter: Date;
  ou: string[];
  der: Buffer;
}

const OID_EMAIL_ADDRESS = '1.2.840.113549.1.9.1';
const OID_OU = '2.5.4.11';
const OID_SAN = '2.5.29.17';

// Reads raw extensions without X509Certificate.extensions, whose eager decoding throws on SAN
// entries the library does not know (e.g. an otherName other than UPN/GUID): such a certificate
// must still yield its facts.
class CertView extends x509.X509Certificate {
  rawExtension(oid: string): Uint8Array | null {
    const ext = this.asn.tbsCertificate.extensions?.find((e) => e.extnID === oid);
    return ext ? new Uint8Array(ext.extnValue.buffer) : null;
  }
}

interface Tlv { tag: number; start: number; end: number }

// Minimal DER header reader: enough to walk GeneralNames and to recognise a lone DER blob.
function readTlv(buf: Uint8Array, off: number): Tlv | null {
  if (off + 2 > buf.length) return null;
  const tag = buf[off] as number;
  let len = buf[off + 1] as number;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > buf.length) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] as number);
    start += n;
  }
  const end = start + len;
  return end <= buf.length ? { tag, start, end } : null;
}

function firstRfc822Name(sanValue: Uint8Array): string | null {
  const seq = readTlv(sanValue, 0);
  if (seq === null || seq.tag !== 0x30) return null;
  for (let off = seq.start; off < seq.end; ) {
    const item = readTlv(sanValue, off);
    if (item === null) return null;
    // rfc822Name is [1] IMPLICIT IA5String: context-specific, primitive, tag number 1.
    if (item.tag === 0x81) return Buffer.from(sanValue.subarray(item.start, item.end)).toString('latin1');
    off = item.end;
  }
  return null;
}

function cleanMember(s: string | null | undefined): string | null {
  const m = s?.trim().toLowerCase();
  return m ? m : null;
}

export function certFacts(der: Buffer): CertFacts {
  const cert = new CertView(new Uint8Array(der));
  const san = cert.rawExtension(OID_SAN);
  const member =
    cleanMember(san ? firstRfc822Name(san) : null) ??
    cleanMember(cert.subjectName.getField(OID_EMAIL_ADDRESS)[0]);
  return {
    serial: normaliseSerial(cert.serialNumber),
    issuer: cert.issuer,
    subject: cert.subject,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    member,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    ou: cert.subjectName.getField(OID_OU),
    der: Buffer.from(der),
  };
}

const PEM_CERT = /-----BEGIN (?:X509 )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 )?CERTIFICATE-----/g;

export function parseCertificates(input: Buffer): Buffer[] {
  const text = input.toString('latin1');
  if (text.includes('-----BEGIN')) {
    const out: Buffer[] = [];
    for (const m of text.matchAll(PEM_CERT)) {
      const der = Buffer.from((m[1] ?? '').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
      if (der.length > 0) out.push(der);
    }
    return out;
  }
  // A lone DER certificate: one SEQUENCE spanning the whole input that parses as a certificate.
  const tlv = readTlv(input, 0);
  if (tlv === null || tlv.tag !== 0x30 || tlv.end !== input.length) return [];
  try {
    new x509.X509Certificate(new Uint8Array(input));
    return [Buffer.from(input)];
  } catch {
    return [];
  }
}

// Returns null instead of throwing so callers at the edge can turn bad input into a message.
export function tryNormaliseSerial(s: string): string | null {
  let h = s.trim().replace(/[:\s]/g, '');
  if (/^0x/i.test(h)) h = h.slice(2);
  if (h.length === 0 || !/^[0-9a-fA-F]+$/.test(h)) return null;
  h = h.toUpperCase();
  if (h.length % 2 === 1) h = '0' + h;
  // Same form as `openssl x509 -serial`: minimal bytes, but zero is still one byte.
  while (h.length > 2 && h.startsWith('00')) h = h.slice(2);
  return h;
}

export function normaliseSerial(s: string): string {
  const n = tryNormaliseSerial(s);
  if (n === null) throw new Error(`not a hexadecimal serial number: ${JSON.stringify(s)}`);
  return n;
}

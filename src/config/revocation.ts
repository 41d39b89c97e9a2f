// `revocation:` (docs/revocation.md). Absent: no revocation source beyond the issued-certificate
// store is consulted. Built from load.ts's `path` field schema (passed in, keeping the import graph
// one-way). Defaults:
//   crls: []                              each { file, issuer? } or { url, refreshSeconds: 300, issuer? }
//   crlPolicy: { maxStaleSeconds: 0, softFail: false }
//   ocsp: { enabled: false, url: (certificate AIA when useCertificateUrls), timeoutMs: 2000,
//           softFail: false, maxCacheSeconds: 3600, nonce: false }
//   useCertificateUrls: false             use the OCSP URL in a certificate's AIA extension
//   cacheSize: 100000                     OCSP answers kept in memory (issuer+serial entries)
import type { CrlSourceConfig, RevocationConfig } from '../revocation/types.js';
import { type Schema, bool, int, list, obj, opt, str } from './schema.js';

const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/i;

export function revocationSchema(path: (mustExist: boolean) => Schema<string>): Schema<RevocationConfig> {
  const url = str({ pattern: HTTP_URL, hint: 'an http:// or https:// URL' });
  const rawCrl = obj({
    // The file need not exist at start: it is watched, and readiness says it is missing.
    file: opt(path(false)),
    url: opt(url),
    refreshSeconds: opt(int(10, 86_400)),
    // The CA that signs this CRL when it is not a trust anchor (an intermediate), PEM or DER.
    issuer: opt(path(true)),
  });
  const crl: Schema<CrlSourceConfig> = (v, p, ctx) => {
    const c = rawCrl(v, p, ctx);
    if (!c) return undefined;
    if ((c.file === undefined) === (c.url === undefined)) return ctx.fail(p, 'needs exactly one of file or url');
    if (c.file !== undefined) {
      if (c.refreshSeconds !== undefined) return ctx.fail(`${p}.refreshSeconds`, 'only with url (a file is reloaded when it changes)');
      return { kind: 'file', file: c.file, issuer: c.issuer };
    }
    return { kind: 'url', url: c.url!, refreshSeconds: c.refreshSeconds ?? 300, issuer: c.issuer };
  };
  const raw = obj({
    crls: opt(list(crl, { max: 64 }), []),
    crlPolicy: opt(obj({ maxStaleSeconds: opt(int(0, 30 * 86_400), 0), softFail: opt(bool, false) }), {}),
    ocsp: opt(
      obj({
        enabled: opt(bool, false),
        url: opt(url),
        timeoutMs: opt(int(100, 30_000), 2000),
        softFail: opt(bool, false),
        maxCacheSeconds: opt(int(0, 7 * 86_400), 3600),
        nonce: opt(bool, false),
      }),
      {},
    ),
    useCertificateUrls: opt(bool, false),
    cacheSize: opt(int(1, 10_000_000), 100_000),
  });
  return (v, p, ctx) => {
    // `revocation: {}` (or an empty mapping in YAML) means "on, with defaults".
    const r = raw(v ?? {}, p, ctx);
    if (!r) return undefined;
    const o = r.ocsp!;
    const useCertificateUrls = r.useCertificateUrls!;
    if (o.enabled && o.url === undefined && !useCertificateUrls) {
      return ctx.fail(`${p}.ocsp.url`, 'ocsp.enabled needs a responder: set ocsp.url, or revocation.useCertificateUrls: true to use the certificates\' AIA');
    }
    const files = new Set<string>();
    for (const [i, c] of r.crls!.entries()) {
      const k = c.kind === 'file' ? c.file : c.url;
      if (files.has(k)) return ctx.fail(`${p}.crls[${i}]`, `${k} is listed twice`);
      files.add(k);
    }
    return {
      crls: r.crls!,
      crlPolicy: { maxStaleSeconds: r.crlPolicy!.maxStaleSeconds!, softFail: r.crlPolicy!.softFail! },
      ocsp: { enabled: o.enabled!, url: o.url, timeoutMs: o.timeoutMs!, softFail: o.softFail!, maxCacheSeconds: o.maxCacheSeconds!, nonce: o.nonce! },
      useCertificateUrls,
      cacheSize: r.cacheSize!,
    };
  };
}

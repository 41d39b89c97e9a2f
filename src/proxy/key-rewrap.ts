// Re-encryption of the attributes a RADIUS hop encrypts with its own secret and Request
// Authenticator: MS-MPPE-Send-Key / MS-MPPE-Recv-Key (RFC 2548 2.4.2-2.4.3) and Tunnel-Password
// (RFC 2868 3.5, the same cipher behind a tag octet). A proxy must decrypt them with the upstream
// leg's secret and authenticator and encrypt them again for the NAS leg (RFC 2548: the salt and
// the key stream depend on both). Pure functions over Buffers.
import { decryptMppeKey, encryptMppeKey } from '../radius/mppe.js';
import { Attr, MsAttr, type RadiusAttribute, VENDOR_MICROSOFT } from '../radius/packet.js';

const TUNNEL_PASSWORD = 69;

export interface Leg {
  secret: Buffer;
  requestAuthenticator: Buffer;
}

export type RewrapResult = { ok: true; attributes: RadiusAttribute[] } | { ok: false; reason: string };

/**
 * Returns the attributes with every encrypted value re-encrypted from `from` to `to`; others are
 * returned as they are (same objects). `salt()` gives salt seeds; each is made unique within the
 * packet here (low 15 bits incremented on collision) and gets its high bit set by the cipher.
 */
export function rewrapKeys(attributes: RadiusAttribute[], from: Leg, to: Leg, salt: () => number): RewrapResult {
  const used = new Set<number>();
  const nextSalt = () => {
    let s = salt() & 0x7fff;
    while (used.has(s)) s = (s + 1) & 0x7fff;
    used.add(s);
    return s;
  };
  const out: RadiusAttribute[] = [];
  for (const a of attributes) {
    if (a.type === Attr.VendorSpecific && a.value.length >= 4 && a.value.readUInt32BE(0) === VENDOR_MICROSOFT) {
      const r = rewrapMicrosoftVsa(a.value, from, to, nextSalt);
      if (!r.ok) return r;
      out.push({ type: a.type, value: r.value });
    } else if (a.type === TUNNEL_PASSWORD) {
      // Tag (1) | salt (2) | ciphertext: the MPPE cipher after the tag octet.
      if (a.value.length < 1) return { ok: false, reason: 'malformed Tunnel-Password' };
      const plain = decryptMppeKey(a.value.subarray(1), from.secret, from.requestAuthenticator);
      if (!plain) return { ok: false, reason: 'Tunnel-Password does not decrypt with the upstream secret' };
      out.push({ type: a.type, value: Buffer.concat([a.value.subarray(0, 1), encryptMppeKey(plain, to.secret, to.requestAuthenticator, nextSalt())]) });
    } else {
      out.push(a);
    }
  }
  return { ok: true, attributes: out };
}

// A Microsoft VSA may pack several sub-attributes (RFC 2865 5.26 layout); each MPPE key among them
// is re-encrypted, the rest copied.
function rewrapMicrosoftVsa(value: Buffer, from: Leg, to: Leg, nextSalt: () => number): { ok: true; value: Buffer } | { ok: false; reason: string } {
  const parts: Buffer[] = [value.subarray(0, 4)];
  let pos = 4;
  while (pos < value.length) {
    if (pos + 2 > value.length) return { ok: false, reason: 'malformed Microsoft Vendor-Specific attribute' };
    const type = value[pos] as number;
    const len = value[pos + 1] as number;
    if (len < 2 || pos + len > value.length) return { ok: false, reason: 'malformed Microsoft Vendor-Specific attribute' };
    const data = value.subarray(pos + 2, pos + len);
    if (type === MsAttr.MppeSendKey || type === MsAttr.MppeRecvKey) {
      const key = decryptMppeKey(data, from.secret, from.requestAuthenticator);
      if (!key) return { ok: false, reason: 'MS-MPPE key does not decrypt with the upstream secret' };
      const enc = encryptMppeKey(key, to.secret, to.requestAuthenticator, nextSalt());
      if (enc.length + 2 > 0xff) return { ok: false, reason: 'MS-MPPE key too long' };
      parts.push(Buffer.from([type, enc.length + 2]), enc);
    } else {
      parts.push(value.subarray(pos, pos + len));
    }
    pos += len;
  }
  const out = Buffer.concat(parts);
  return out.length <= 253 ? { ok: true, value: out } : { ok: false, reason: 'Vendor-Specific attribute too long after re-encryption' };
}

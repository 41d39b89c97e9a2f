// The outer EAP identity (a NAI, RFC 7542): which realm it claims and whether it names a user.

export interface OuterIdentity {
  raw: string;
  /** Lowercased realm, or null when there is none. */
  realm: string | null;
  /** True for "anonymous@realm" and "@realm" (RFC 9190 2.1.8): it names nobody. */
  anonymous: boolean;
}

export function parseOuterIdentity(raw: string): OuterIdentity {
  const at = raw.lastIndexOf('@');
  if (at < 0) return { raw, realm: null, anonymous: raw === '' || raw.toLowerCase() === 'anonymous' };
  const user = raw.slice(0, at);
  const realm = raw.slice(at + 1).toLowerCase();
  return { raw, realm: realm === '' ? null : realm, anonymous: user === '' || user.toLowerCase() === 'anonymous' };
}

export const sameIdentity = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

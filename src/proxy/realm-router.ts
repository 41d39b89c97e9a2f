// Realm routing for the first packet of a conversation: our realms are decided here, others go to
// the upstream configured for them ("*" = the national proxy), and an identity whose realm is
// missing or malformed is refused here and never forwarded (RFC 7542 2.2, RFC 7593 5.1).

export type RealmRoute =
  | { kind: 'local'; realm: string }
  | { kind: 'proxy'; realm: string; route: string }
  | { kind: 'reject'; realm: string | null; detail: string };

export type NaiCheck = { ok: true; realm: string } | { ok: false; realm: string | null; detail: string };

// RFC 7542 2.2: realm = label *("." label), label = let-dig *(ldh-str); eduroam needs a dot.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_REALM = 253;

/** Checks an outer identity as a NAI with a routable realm; the realm comes back lowercased. */
export function checkNai(identity: string): NaiCheck {
  if (identity.length === 0) return { ok: false, realm: null, detail: 'empty outer identity' };
  // Control characters and spaces have no place in a NAI (RFC 7542 2.2) and would break log lines.
  if (/[\u0000-\u0020\u007f]/.test(identity)) return { ok: false, realm: null, detail: 'outer identity contains spaces or control characters' };
  const at = identity.lastIndexOf('@');
  if (at < 0) return { ok: false, realm: null, detail: 'outer identity has no realm' };
  if (identity.indexOf('@') !== at) return { ok: false, realm: null, detail: "outer identity has more than one '@'" };
  const realm = identity.slice(at + 1).toLowerCase();
  if (realm.length === 0) return { ok: false, realm: null, detail: 'outer identity has an empty realm' };
  const labels = realm.split('.');
  if (realm.length > MAX_REALM || labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
    return { ok: false, realm, detail: `realm ${JSON.stringify(realm)} is not a valid realm (letters, digits, '-', at least one '.')` };
  }
  return { ok: true, realm };
}

/** True when realm is one of `realms` or a subdomain of one. */
function within(realm: string, realms: Iterable<string>): boolean {
  for (const r of realms) if (realm === r || realm.endsWith(`.${r}`)) return true;
  return false;
}

export class RealmRouter {
  /**
   * localRealms is read per call, so a reload of identity.realms applies at once. proxyRealms are
   * realm names (lowercase) or "*"; an exact match wins over "*".
   */
  constructor(
    private readonly localRealms: () => readonly string[],
    private readonly proxyRealms: readonly string[],
  ) {}

  route(outerIdentity: string): RealmRoute {
    const nai = checkNai(outerIdentity);
    if (!nai.ok) return { kind: 'reject', realm: nai.realm, detail: nai.detail };
    const { realm } = nai;
    // Our realms and their subdomains never leave: forwarding them would loop through the federation.
    if (within(realm, this.localRealms())) return { kind: 'local', realm };
    if (this.proxyRealms.includes(realm)) return { kind: 'proxy', realm, route: realm };
    if (this.proxyRealms.includes('*')) return { kind: 'proxy', realm, route: '*' };
    // No route: decided locally, which refuses it with reason "realm" after the TLS handshake.
    return { kind: 'local', realm };
  }
}

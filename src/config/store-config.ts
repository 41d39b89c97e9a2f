// `store:` in the configuration: exactly one of `path` (SQLite, embedded, one gateway) or `url`
// (PostgreSQL, shared by several gateways). The PostgreSQL password may sit in the URL or be given
// as password / passwordFile / passwordEnv, like every other secret.

export type StoreConfig =
  | { kind: 'sqlite'; path: string; url?: undefined }
  | { kind: 'postgres'; url: string; password: string | undefined; path?: undefined };

/** A message saying what is wrong with a PostgreSQL URL, or null when it will do. */
export function postgresUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not a URL; use postgres://user@host:5432/database`;
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return `must start with postgres:// or postgresql://, got ${u.protocol}//`;
  if (u.hostname === '' && !u.searchParams.has('host')) return 'names no host; use postgres://user@host:5432/database';
  if (u.pathname.length <= 1) return 'names no database; use postgres://user@host:5432/database';
  return null;
}

// `store:` (SQLite path or PostgreSQL url, exactly one), `http.verifyToken` and `ocspResponder`
// in the configuration; and what the commands do when the configured PostgreSQL cannot be reached.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFolder } from '../helpers/config-files.js';
import { runCli } from '../helpers/gateway-process.js';
import { makeTestPki } from '../helpers/pki.js';

const { dir, load: loadText, problems: problemsOf } = configFolder('certgate-store-config-', ['server.pem', 'server.key', 'ca.pem', 'ocsp.pem', 'ocsp.key']);
writeFileSync(join(dir, 'pg.password'), 's3cret/with:odd@chars\n');
chmodSync(join(dir, 'pg.password'), 0o600);

const head = `radius:
  listen: ["127.0.0.1:1812"]
  clients:
    - { name: lo, network: 127.0.0.1, secret: testing123 }
tls:
  certificate: server.pem
  privateKey: server.key
  trustAnchors: [ca.pem]
identity:
  realms: [jaist.ac.jp]
`;

const load = (text: string) => loadText(head + text);
const problems = (text: string): string[] => problemsOf(head + text);
let n = 0;

describe('store configuration', () => {
  it('takes a SQLite path relative to the config file', () => {
    expect(load('store:\n  path: data/x.db\n').store).toEqual({ kind: 'sqlite', path: join(dir, 'data/x.db') });
  });

  it('takes a PostgreSQL url, with the password apart (file or environment) if wanted', () => {
    expect(load('store:\n  url: postgres://certgate@db.example:5432/certgate\n').store).toEqual({ kind: 'postgres', url: 'postgres://certgate@db.example:5432/certgate', password: undefined });
    expect(load('store:\n  url: postgresql://certgate@db/certgate\n  passwordFile: pg.password\n').store).toMatchObject({ kind: 'postgres', password: 's3cret/with:odd@chars' });
    process.env.CERTGATE_TEST_PG_PW = 'from-env';
    expect(load('store:\n  url: postgres://certgate@db/certgate\n  passwordEnv: CERTGATE_TEST_PG_PW\n').store).toMatchObject({ password: 'from-env' });
  });

  it('names the key and the fix when store is wrong', () => {
    expect(problems('store: {}\n')).toEqual(['store: needs exactly one of path (SQLite) or url (PostgreSQL, postgres://…)']);
    expect(problems('store:\n  path: x.db\n  url: postgres://a@b/c\n')).toEqual(['store: needs exactly one of path (SQLite) or url (PostgreSQL, postgres://…)']);
    expect(problems('store:\n  url: mysql://a@b/c\n')).toEqual(['store.url: must start with postgres:// or postgresql://, got mysql://']);
    expect(problems('store:\n  url: postgres://a@b\n')).toEqual(['store.url: names no database; use postgres://user@host:5432/database']);
    expect(problems('store:\n  url: not a url\n')[0]).toMatch(/^store\.url: "not a url" is not a URL/);
    expect(problems('store:\n  path: x.db\n  password: p\n')).toEqual(['store.password: only with store.url (PostgreSQL)']);
    expect(problems('store:\n  url: postgres://a@b/c\n  password: p\n  passwordEnv: X\n')).toEqual(['store: needs exactly one of password, passwordFile or passwordEnv']);
  });

  it('reads http.verifyToken like the admin token, and ocspResponder with its defaults', () => {
    const c = load('store:\n  path: x.db\nhttp:\n  verifyToken: verify-token-0123456789\nocspResponder:\n  certificate: ocsp.pem\n  privateKey: ocsp.key\n');
    expect(c.http.verifyToken?.toString()).toBe('verify-token-0123456789');
    expect(c.http.adminToken).toBeUndefined();
    expect(c.ocspResponder).toEqual({ certificate: join(dir, 'ocsp.pem'), privateKey: join(dir, 'ocsp.key'), validitySeconds: 3600 });
    expect(load('store:\n  path: x.db\n').ocspResponder).toBeUndefined();
    expect(problems('store:\n  path: x.db\nhttp:\n  verifyToken: short\n')).toEqual(['http.verifyToken: must be at least 16 characters']);
    expect(problems('store:\n  path: x.db\nocspResponder:\n  certificate: ocsp.pem\n  privateKey: missing.key\n')[0]).toMatch(/^ocspResponder\.privateKey: file .*missing\.key does not exist/);
    expect(problems('store:\n  path: x.db\nocspResponder:\n  certificate: ocsp.pem\n  privateKey: ocsp.key\n  validitySeconds: 5\n')).toEqual(['ocspResponder.validitySeconds: must be between 60 and 604800, got 5']);
  });
});

describe('an unreachable PostgreSQL', () => {
  // Port 9 on loopback: nothing listens, connections are refused at once.
  const config = () => {
    const p = join(dir, `down${++n}.yaml`);
    writeFileSync(p, `${head}store:\n  url: postgres://certgate@127.0.0.1:9/certgate\n`);
    return p;
  };

  it('stops the gateway at start with exit 2: it never runs on an empty store', async () => {
    const pki = makeTestPki();
    const p = join(dir, `serve${++n}.yaml`);
    writeFileSync(p, head.replace('server.pem', pki.serverCert).replace('server.key', pki.serverKey).replace('[ca.pem]', `[${pki.caCert}]`) + 'store:\n  url: postgres://certgate@127.0.0.1:9/certgate\n');
    const r = await runCli(['serve', '--config', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot start: the certificate store postgres:\/\/certgate@127\.0\.0\.1:9\/certgate is unreachable: .*ECONNREFUSED/);
  });

  it('ends a store command with exit 3 and says nothing was written', async () => {
    const r = await runCli(['store', '--config', config(), 'list']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/certgate store list: the certificate store .* is unreachable/);
    expect(r.stderr).toMatch(/run the command again when the store is back/);
  });
});

// The hardening keys: safe defaults, bounds that name the key, and BlastRADIUS warnings.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseYaml, configFolder } from '../helpers/config-files.js';

const { dir, load, problems } = configFolder('certgate-hconfig-');

describe('hardening configuration', () => {
  it('has safe defaults', () => {
    const c = load(baseYaml());
    expect(c.radius.clients[0]).toMatchObject({ requireMessageAuthenticator: true, limitProxyState: true });
    expect(c.radius).toMatchObject({ duplicateCacheSeconds: 10, maxPendingRequests: 4096 });
    expect(c.eap).toMatchObject({ maxMessageBytes: 65536, maxRounds: 50, idleTimeoutSeconds: 30, maxConversations: 20000, maxConversationsPerClient: 10000, maxConversationsPerStation: 4, maxHandshakes: 2000 });
    expect(c.pacing).toEqual({ enabled: true, freeRejects: 3, rejectDelayMs: 1000, maxRejectDelayMs: 4000, refuseAfter: 10, refuseSeconds: 300, windowSeconds: 600, maxStations: 100000, maxDelayed: 1000 });
    expect(c.warnings).toEqual([]);
  });

  it('keeps duplicate-cache lifetimes within RFC 5080\'s 5-30 s', () => {
    const withTtl = (s: number) => baseYaml().replace('  clients:', `  duplicateCacheSeconds: ${s}\n  clients:`);
    expect(load(withTtl(5)).radius.duplicateCacheSeconds).toBe(5);
    expect(load(withTtl(30)).radius.duplicateCacheSeconds).toBe(30);
    expect(problems(withTtl(4))).toEqual(['radius.duplicateCacheSeconds: must be between 5 and 30, got 4']);
    expect(problems(withTtl(31))).toEqual(['radius.duplicateCacheSeconds: must be between 5 and 30, got 31']);
  });

  it('relaxing Message-Authenticator keeps limitProxyState on; turning both off is allowed but warned about', () => {
    const relaxed = load(baseYaml('    - { name: old, network: 10.0.0.0/8, secret: testing123, requireMessageAuthenticator: false }'));
    expect(relaxed.radius.clients[0]).toMatchObject({ requireMessageAuthenticator: false, limitProxyState: true });
    expect(relaxed.warnings).toEqual([]);
    const open = load(baseYaml('    - { name: old, network: 10.0.0.0/8, secret: testing123, requireMessageAuthenticator: false, limitProxyState: false }'));
    expect(open.warnings).toEqual([expect.stringMatching(/radius\.clients\[0\] \(old\): requireMessageAuthenticator and limitProxyState both off: open to BlastRADIUS/)]);
  });

  it('warns about a secret file every user can read', () => {
    const f = join(dir, 'open.secret');
    writeFileSync(f, 's3cret\n');
    chmodSync(f, 0o644);
    const c = load(baseYaml(`    - { name: ap, network: 10.0.0.0/8, secretFile: ${f} }`));
    expect(c.warnings).toEqual([`${f} (radius.clients[0].secretFile) is readable by every user: chmod 600 it`]);
    chmodSync(f, 0o600);
    expect(load(baseYaml(`    - { name: ap, network: 10.0.0.0/8, secretFile: ${f} }`)).warnings).toEqual([]);
  });

  it('takes secrets from the environment too, and refuses an unset variable by name', () => {
    process.env.CERTGATE_TEST_NAS_SECRET = 'from-env';
    process.env.CERTGATE_TEST_ADMIN_TOKEN = 'admin-token-0123456789';
    const c = load(baseYaml('    - { name: ap, network: 10.0.0.0/8, secretEnv: CERTGATE_TEST_NAS_SECRET }', 'http:\n  adminTokenEnv: CERTGATE_TEST_ADMIN_TOKEN\n'));
    expect(c.radius.clients[0]!.secret.toString()).toBe('from-env');
    expect(c.http.adminToken?.toString()).toBe('admin-token-0123456789');
    delete process.env.CERTGATE_TEST_NAS_SECRET;
    expect(problems(baseYaml('    - { name: ap, network: 10.0.0.0/8, secretEnv: CERTGATE_TEST_NAS_SECRET }'))).toEqual([
      'radius.clients[0].secretEnv: environment variable CERTGATE_TEST_NAS_SECRET is not set or empty',
    ]);
  });

  it('bounds the limits and names the key', () => {
    expect(problems(baseYaml(undefined, 'eap:\n  maxConversationsPerStation: 0\n'))).toEqual(['eap.maxConversationsPerStation: must be between 1 and 1000, got 0']);
    expect(problems(baseYaml(undefined, 'eap:\n  maxMessageBytes: 100\n'))).toEqual(['eap.maxMessageBytes: must be between 4096 and 1048576, got 100']);
    expect(problems(baseYaml(undefined, 'pacing:\n  refuseSeconds: 0\n'))).toEqual(['pacing.refuseSeconds: must be between 1 and 86400, got 0']);
    expect(problems(baseYaml(undefined, 'pacing:\n  delay: 3\n'))[0]).toMatch(/^pacing\.delay: unknown key/);
    expect(load(baseYaml(undefined, 'pacing:\n  enabled: false\n')).pacing.enabled).toBe(false);
  });
});

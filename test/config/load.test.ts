import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { configFolder } from '../helpers/config-files.js';
import { runCli } from '../helpers/gateway-process.js';

const { dir, problems } = configFolder('certgate-config-');
writeFileSync(join(dir, 'secret.txt'), 's3cret\n');

const good = `radius:
  listen: ["0.0.0.0:1812", "[::]:1812"]
  clients:
    - name: ap-floor1
      network: 10.20.0.0/16
      secret: testing123
    - name: vpn
      network: 2001:db8::1
      secretFile: secret.txt
      requireMessageAuthenticator: false
tls:
  certificate: server.pem
  privateKey: server.key
  trustAnchors: [ca.pem]
identity:
  realms: [JAIST.ac.jp]
store:
  path: data/certgate.db
http:
  listen: "127.0.0.1:9812"
`;

function write(name: string, text: string) {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('configuration', () => {
  it('loads the documented keys, with defaults, and resolves paths against the config folder', () => {
    const c = loadConfig(write('good.yaml', good));
    expect(c.radius.listen).toEqual([
      { host: '0.0.0.0', port: 1812, family: 4 },
      { host: '::', port: 1812, family: 6 },
    ]);
    expect(c.radius.clients[0]).toMatchObject({ name: 'ap-floor1', network: { address: '10.20.0.0', prefix: 16, family: 4 }, requireMessageAuthenticator: true });
    expect(c.radius.clients[0]!.secret.toString()).toBe('testing123');
    expect(c.radius.clients[1]).toMatchObject({ network: { prefix: 128, family: 6 }, requireMessageAuthenticator: false });
    expect(c.radius.clients[1]!.secret.toString()).toBe('s3cret');
    expect(c.tls).toMatchObject({ certificate: join(dir, 'server.pem'), trustAnchors: [join(dir, 'ca.pem')], minVersion: '1.2' });
    expect(c.eap).toEqual({ fragmentSize: 1024, maxMessageBytes: 65536, maxRounds: 50, idleTimeoutSeconds: 30, maxConversations: 20000, maxConversationsPerClient: 10000, maxConversationsPerStation: 4, maxHandshakes: 2000 });
    expect(c.identity.realms).toEqual(['jaist.ac.jp']);
    expect(c.store.path).toBe(join(dir, 'data/certgate.db'));
  });

  it('names the key and what is wrong', () => {
    expect(problems(good.replace('10.20.0.0/16', '10.20.0.0/33'))).toEqual(['radius.clients[0].network: prefix length in "10.20.0.0/33" must be 0..32']);
    expect(problems(good.replace('"0.0.0.0:1812"', '"localhost:1812"'))).toEqual(['radius.listen[0]: "localhost" is not an IP address']);
    expect(problems(good.replace('      secret: testing123\n', ''))).toEqual(['radius.clients[0]: needs exactly one of secret, secretFile or secretEnv']);
    expect(problems(good.replace('server.key', 'missing.key'))[0]).toMatch(/^tls\.privateKey: file .*missing\.key does not exist/);
    expect(problems(`${good}eap:\n  fragmentSize: 10\n`)).toEqual(['eap.fragmentSize: must be between 64 and 4000, got 10']);
    expect(problems(`${good}tls2: {}\n`)[0]).toMatch(/^tls2: unknown key/);
    expect(problems(good.replace('realms: [JAIST.ac.jp]', 'realms: []'))).toEqual(['identity.realms: needs at least 1 entry']);
    expect(problems(good.replace('name: vpn', 'name: ap-floor1'))).toEqual(['radius.clients[1].name: duplicate client name "ap-floor1"']);
    expect(problems('radius: [unclosed')[0]).toMatch(/^\(yaml line/);
  });

  it('stops the CLI with exit code 2 and a message naming the file and the key', async () => {
    const file = write('cli-bad.yaml', good.replace('minVersion', 'x').replace('trustAnchors: [ca.pem]', 'trustAnchors: [ca.pem]\n  minVersion: "1.1"'));
    const r = await runCli(['serve', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('tls.minVersion: must be one of "1.2", "1.3", got string "1.1"');
    const missing = await runCli(['check', '--config', join(dir, 'nope.yaml'), 'x.pem']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml');
  });

  it('prints usage for --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('certgate serve --config FILE');
  });
});

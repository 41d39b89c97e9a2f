import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { replyAttributes, taggedInteger, vlanAttributes } from '../../src/policy/attributes.js';
import { compileGlob, compileGlobs } from '../../src/policy/glob.js';
import { Policy, applyPolicy, policyFacts } from '../../src/policy/policy.js';
import { decideWithPolicy } from '../../src/policy/authorize.js';
import type { PolicyFacts, PolicyRule } from '../../src/policy/types.js';
import { Attr } from '../../src/radius/packet.js';
import { encodePacket } from '../../src/radius/serializer.js';
import type { Decision } from '../../src/verify/reasons.js';

const rule = (index: number, match: PolicyRule['match'], reply: PolicyRule['reply'] = {}, extra: Partial<PolicyRule> = {}): PolicyRule => ({ index, name: null, match, reply, reject: false, ...extra });
const facts = (f: Partial<PolicyFacts> = {}): PolicyFacts => ({ member: 'alice@jaist.ac.jp', issuer: 'CN=Demo UPKI CA,O=NII,C=JP', ou: ['student'], realm: 'jaist.ac.jp', client: 'ap-floor1', ...f });
const accept: Decision = { result: 'accept', reason: 'ok', member: 'alice@jaist.ac.jp', serial: '1001', issuer: 'CN=Demo UPKI CA' };

describe('globs', () => {
  it('matches whole values, case-insensitively, with * and ?', () => {
    expect(compileGlob('staff')('Staff')).toBe(true);
    expect(compileGlob('staff')('staff2')).toBe(false);
    expect(compileGlob('*@jaist.ac.jp')('bob@JAIST.ac.jp')).toBe(true);
    expect(compileGlob('*@jaist.ac.jp')('bob@jaist.ac.jp.evil')).toBe(false);
    expect(compileGlob('ap-floor?')('ap-floor1')).toBe(true);
    expect(compileGlob('ap-floor?')('ap-floor12')).toBe(false);
    expect(compileGlob('*')('')).toBe(true);
  });
  it('treats every other character literally (dots, brackets, regex syntax)', () => {
    expect(compileGlob('a.b')('axb')).toBe(false);
    expect(compileGlob('CN=Demo (test) [CA]+')('cn=demo (test) [ca]+')).toBe(true);
    expect(compileGlob('^x$*')('^x$yz')).toBe(true);
    expect(compileGlobs(['staff', 'faculty*'])('faculty-cs')).toBe(true);
  });
});

describe('policy matcher', () => {
  const policy = new Policy([
    rule(0, { ou: ['staff'] }, { vlan: '20', sessionTimeout: 28800 }, { name: 'staff' }),
    rule(1, { ou: ['student'], client: ['ap-*'] }, { vlan: '10', class: 'student' }),
    rule(2, { member: ['mallory@*'] }, {}, { reject: true }),
    rule(3, { realm: ['jaist.ac.jp'], issuer: ['*Demo UPKI*'] }, { filterId: 'default' }),
  ]);

  it('takes the first rule whose every key matches', () => {
    expect(policy.evaluate(facts({ ou: ['staff'] }))).toEqual({ rule: { index: 0, name: 'staff' }, reject: false, reply: { vlan: '20', sessionTimeout: 28800 } });
    expect(policy.evaluate(facts())).toMatchObject({ rule: { index: 1, name: null }, reply: { vlan: '10', class: 'student' } });
    // A student through another client falls past rule 1 (client does not match) to rule 3.
    expect(policy.evaluate(facts({ client: 'vpn' }))).toMatchObject({ rule: { index: 3 }, reply: { filterId: 'default' } });
  });

  it('matches ou when any of the certificate OUs matches', () => {
    expect(policy.evaluate(facts({ ou: ['lab-x', 'staff'] })).rule?.index).toBe(0);
  });

  it('never matches a key whose fact is unknown, and returns no rule when nothing matches', () => {
    expect(policy.evaluate(facts({ ou: ['student'], client: null })).rule?.index).toBe(3);
    expect(policy.evaluate(facts({ ou: [], realm: 'other.ac.jp', client: null }))).toEqual({ rule: null, reject: false, reply: {} });
  });

  it('a rule without match keys matches everything', () => {
    expect(new Policy([rule(0, {}, { vlan: '99' })]).evaluate(facts({ ou: [] })).reply).toEqual({ vlan: '99' });
  });

  it('applies to accepts only, never turning a reject into an accept', () => {
    const rejected: Decision = { result: 'reject', reason: 'revoked_store', member: 'bob@jaist.ac.jp', serial: '1002', issuer: 'x' };
    expect(applyPolicy(policy, rejected, facts({ ou: ['staff'] }))).toBe(rejected);
    expect(applyPolicy(policy, accept, facts({ ou: ['staff'] }))).toEqual({ ...accept, rule: { index: 0, name: 'staff' }, reply: { vlan: '20', sessionTimeout: 28800 } });
  });

  it('turns an accept into a reject with reason policy when the rule says reject', () => {
    const d = applyPolicy(policy, { ...accept, member: 'mallory@jaist.ac.jp' }, facts({ member: 'mallory@jaist.ac.jp', ou: [] }));
    expect(d).toMatchObject({ result: 'reject', reason: 'policy', member: 'mallory@jaist.ac.jp', serial: '1001', rule: { index: 2, name: null } });
    expect(d.detail).toContain('rule 2');
    expect(d.reply).toBeUndefined();
  });

  it('takes the realm from the outer identity, or the member domain without one', () => {
    expect(policyFacts(accept, { ou: ['staff'] }, { outerIdentity: 'anonymous@JAIST.ac.jp', client: 'c' })).toEqual({ member: 'alice@jaist.ac.jp', issuer: 'CN=Demo UPKI CA', ou: ['staff'], realm: 'jaist.ac.jp', client: 'c' });
    expect(policyFacts(accept, undefined, { outerIdentity: null, client: null })).toMatchObject({ realm: 'jaist.ac.jp', ou: [], client: null });
  });
});

describe('decision pipeline, then policy', () => {
  const leaf = { ok: true as const, path: [{ facts: { ou: ['staff'] } }], anchor: {} };
  const deps = (rules: PolicyRule[], decision: Decision = accept) => {
    let verified = 0;
    return {
      deps: {
        verifier: { decide: async () => decision },
        chains: { verify: () => (verified++, leaf as never) },
        policy: new Policy(rules),
      },
      verified: () => verified,
    };
  };
  const input = { chain: [Buffer.alloc(1)], outerIdentity: 'anonymous@jaist.ac.jp', now: new Date(), client: 'ap-floor1' };

  it('takes the OU from the verified leaf when a rule needs it', async () => {
    const d = deps([rule(0, { ou: ['staff'] }, { vlan: '20' })]);
    expect(await decideWithPolicy(d.deps, input)).toMatchObject({ result: 'accept', rule: { index: 0 }, reply: { vlan: '20' } });
    expect(d.verified()).toBe(1);
  });

  it('does no extra work without ou rules, and leaves decisions alone without a policy or on a reject', async () => {
    const byRealm = deps([rule(0, { realm: ['jaist.ac.jp'] }, { vlan: '30' })]);
    expect(await decideWithPolicy(byRealm.deps, input)).toMatchObject({ reply: { vlan: '30' } });
    expect(byRealm.verified()).toBe(0);
    expect(await decideWithPolicy(deps([]).deps, input)).toEqual(accept);
    const rejected: Decision = { result: 'reject', reason: 'expired', member: null, serial: null, issuer: null };
    expect(await decideWithPolicy(deps([rule(0, {}, {}, { reject: false })], rejected).deps, input)).toBe(rejected);
  });
});

describe('reply attributes', () => {
  it('encode VLAN assignment exactly as FreeRADIUS does (tag 0; no tag octet on the group id)', () => {
    // Captured from radclient 3.2 with Tunnel-Type = VLAN, Tunnel-Medium-Type = IEEE-802,
    // Tunnel-Private-Group-Id = "20": 40 06 00 00 00 0d  41 06 00 00 00 06  51 04 32 30.
    const wire = encodePacket({ code: 2, identifier: 0, authenticator: Buffer.alloc(16), attributes: vlanAttributes('20') }).subarray(20);
    expect(wire.toString('hex')).toBe('40060000000d' + '410600000006' + '51043230');
  });

  it('encode every reply key in a fixed order', () => {
    const attrs = replyAttributes({ vlan: 'students', sessionTimeout: 28800, class: 'student', filterId: 'f1' });
    expect(attrs.map((a) => a.type)).toEqual([Attr.TunnelType, Attr.TunnelMediumType, Attr.TunnelPrivateGroupId, Attr.SessionTimeout, Attr.Class, Attr.FilterId]);
    expect(attrs[3]!.value.readUInt32BE(0)).toBe(28800);
    expect(attrs[2]!.value.toString()).toBe('students');
    expect(replyAttributes({})).toEqual([]);
  });

  it('refuses tags and values out of range', () => {
    expect(() => taggedInteger(64, 32, 13)).toThrow(RangeError);
    expect(() => taggedInteger(64, 0, 1 << 24)).toThrow(RangeError);
    expect(taggedInteger(64, 1, 13).value.toString('hex')).toBe('0100000d');
  });
});

describe('policy configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'certgate-policy-'));
  const file = join(dir, 'x.pem');
  writeFileSync(file, 'x');
  const load = (policy: string, clientExtra = '') => {
    const p = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      p,
      `radius:
  listen: ["127.0.0.1:0"]
  clients:
    - { name: ap-floor1, network: 10.20.0.0/16, secret: s3cret${clientExtra} }
tls: { certificate: ${file}, privateKey: ${file}, trustAnchors: [${file}] }
identity: { realms: [jaist.ac.jp] }
store: { path: ${join(dir, 'store.db')} }
${policy}`,
    );
    return loadConfig(p);
  };
  const problems = (policy: string, clientExtra = '') => {
    try {
      load(policy, clientExtra);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it('loads the issue example, VLAN numbers and names, globs and lists', () => {
    const c = load(`policy:
  - match: { ou: staff }
    reply: { vlan: "20", sessionTimeout: 28800 }
  - name: students
    match: { ou: [student, "guest*"], client: "ap-*" }
    reply: { vlan: 10, class: "student", filterId: "students" }
  - match: {}
    reply: { reject: true }`);
    expect(c.policy).toEqual([
      { index: 0, name: null, match: { ou: ['staff'] }, reject: false, reply: { vlan: '20', sessionTimeout: 28800 } },
      { index: 1, name: 'students', match: { ou: ['student', 'guest*'], client: ['ap-*'] }, reject: false, reply: { vlan: '10', class: 'student', filterId: 'students' } },
      { index: 2, name: null, match: {}, reject: true, reply: {} },
    ]);
    expect(load('').policy).toEqual([]);
  });

  it('names the key of every mistake', () => {
    expect(problems(`policy:\n  - match: { group: staff }`)).toEqual([{ path: 'policy[0].match.group', message: expect.stringContaining('unknown key') }]);
    expect(problems(`policy:\n  - match: { ou: staff }\n    reply: { vlan: 5000 }`)).toEqual([{ path: 'policy[0].reply.vlan', message: expect.stringContaining('1..4094') }]);
    expect(problems(`policy:\n  - reply: { vlan: "bad vlan!" }`)[0]!.path).toBe('policy[0].reply.vlan');
    expect(problems(`policy:\n  - reply: { vlan: "0" }`)[0]!.path).toBe('policy[0].reply.vlan');
    expect(problems(`policy:\n  - reply: { reject: true, vlan: "20" }`)).toEqual([{ path: 'policy[0].reply', message: expect.stringContaining('reject: true') }]);
    expect(problems(`policy:\n  - reply: { class: "cg1:forged" }`)[0]!.path).toBe('policy[0].reply.class');
    expect(problems(`policy:\n  - reply: { sessionTimeout: 0 }`)[0]!.path).toBe('policy[0].reply.sessionTimeout');
    expect(problems(`policy:\n  - match: { ou: [] }`)[0]!.path).toBe('policy[0].match.ou');
    expect(problems(`policy:\n  - reject: true`)[0]!.path).toBe('policy[0].reject');
    expect(problems(`policy:\n  - { name: a }\n  - { name: a }`)).toEqual([{ path: 'policy[1].name', message: expect.stringContaining('duplicate') }]);
  });

  it('warns about unreachable rules and client globs that name no client', () => {
    const c = load(`policy:\n  - match: {}\n  - match: { client: "vpn-*" }`);
    expect(c.warnings).toEqual(expect.arrayContaining([expect.stringContaining('policy[1] is never reached'), expect.stringContaining('names no configured RADIUS client')]));
  });

  it('reads coaPort and coaAddress per client, and refuses a bad one', () => {
    const c = load('', ', coaPort: 3799, coaAddress: "127.0.0.2"');
    expect(c.radius.clients[0]).toMatchObject({ coaPort: 3799, coaAddress: '127.0.0.2' });
    expect(load('').radius.clients[0]!.coaPort).toBeUndefined();
    expect(problems('', ', coaPort: 70000')[0]!.path).toBe('radius.clients[0].coaPort');
    expect(problems('', ', coaPort: 3799, coaAddress: "ap.example"')[0]!.path).toBe('radius.clients[0].coaAddress');
  });

  it('puts the sessions file next to the store by default', () => {
    expect(load('').sessions).toMatchObject({ file: join(dir, 'store.sessions.db'), idleTimeoutSeconds: 10800, maxSessions: 100_000, maxPerMember: 32, classKey: undefined });
    expect(load('sessions: { classKey: "0123456789abcdef0123" }').sessions.classKey?.toString()).toBe('0123456789abcdef0123');
    expect(problems('sessions: { classKey: "short" }')[0]!.path).toBe('sessions.classKey');
    expect(load('').disconnect).toEqual({ attempts: 3, timeoutMs: 1000, maxPending: 1024 });
  });
});

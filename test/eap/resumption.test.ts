// Session resumption with the real decision pipeline (store + verifier), in memory: the second
// login resumes, and a certificate revoked in the store since the first login is refused on
// resumption (RFC 9190 5.7), for TLS 1.2 and 1.3, and for TLS 1.3 with both servers (certgate's
// own, whose tickets name the certificate by SHA-256, and OpenSSL's, whose tickets hold it).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EapServer } from '../../src/eap/eap-server.js';
import { StoreSnapshot } from '../../src/store/snapshot.js';
import { SqliteCertStore } from '../../src/store/sqlite-adapter.js';
import { ChainVerifier } from '../../src/verify/chain.js';
import { Verifier } from '../../src/verify/decide.js';
import { certFacts, parseCertificates } from '../../src/verify/cert-facts.js';
import { localHandshakes, peerLogin } from '../helpers/eap-peer.js';
import { type TestPki, makeTestPki } from '../helpers/pki.js';

const der = (file: string) => parseCertificates(readFileSync(file))[0]!;
const settings = { fragmentSize: 1024, maxMessageBytes: 65536, maxRounds: 60, idleTimeoutSeconds: 30, maxConversations: 100 };

describe('session resumption re-runs the decision', () => {
  let pki: TestPki;
  let store: SqliteCertStore;
  let snapshot: StoreSnapshot;
  const servers = new Map<'certgate' | 'openssl', EapServer>();

  beforeAll(async () => {
    pki = makeTestPki();
    store = SqliteCertStore.open(join(mkdtempSync(join(tmpdir(), 'certgate-resume-')), 'store.db'));
    for (const m of ['alice', 'bob', 'carol']) await store.add(der(pki.member(m).cert), new Date());
    snapshot = new StoreSnapshot(store);
    await snapshot.refresh();
    const verifier = new Verifier({ chains: new ChainVerifier([readFileSync(pki.caCert)]), store: snapshot, realms: ['jaist.ac.jp'] });
    const decide: ConstructorParameters<typeof EapServer>[2] = (chain, outerIdentity, now) => verifier.decide({ chain, outerIdentity, now });
    const certificates = (sha256: Buffer) => snapshot.byFingerprintHex(sha256.toString('hex'))?.der;
    for (const server of ['certgate', 'openssl'] as const) servers.set(server, new EapServer(settings, localHandshakes(pki, 3600, server), decide, undefined, certificates));
  });

  for (const [maxVersion, server, member] of [['TLSv1.3', 'certgate', 'bob'], ['TLSv1.3', 'openssl', 'alice'], ['TLSv1.2', 'openssl', 'carol']] as const) {
    it(`${maxVersion} (${server}): a repeat login resumes and is accepted; after a revocation it is refused`, async () => {
      const eap = servers.get(server)!;
      const identity = `${member}@jaist.ac.jp`;
      const first = await peerLogin(eap, pki, { member, identity, maxVersion });
      expect(first.r, JSON.stringify(first.r.kind === "reject" && first.r.decision)).toMatchObject({ kind: "accept", summary: { resumed: false } });
      const session = first.session();
      expect(session).toBeDefined();

      const second = await peerLogin(eap, pki, { member, identity, maxVersion, session });
      expect(second.r, JSON.stringify(second.r.kind === "reject" && [second.r.decision, second.r.summary])).toMatchObject({ kind: 'accept', summary: { resumed: true, tlsVersion: maxVersion }, decision: { member: identity } });
      // A resumed login costs fewer round trips than a full one.
      expect(second.r.kind === 'accept' && first.r.kind === 'accept' && second.r.summary.rounds).toBeLessThan(first.r.kind === 'accept' ? first.r.summary.rounds : 0);

      const serial = certFacts(der(pki.member(member).cert)).serial;
      expect(await store.revoke(serial, 'keyCompromise', new Date())).toMatchObject({ outcome: 'revoked' });
      await snapshot.refresh();
      const third = await peerLogin(eap, pki, { member, identity, maxVersion, session: second.session() ?? session });
      expect(third.r).toMatchObject({ kind: 'reject', decision: { reason: 'revoked_store' }, summary: { resumed: true } });
    });
  }
});

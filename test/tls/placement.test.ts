// Where handshakes run: the Placement steers the main thread's busy share, and the pool sends a
// resuming TLS 1.2 peer to the thread that holds its session whatever the Placement says.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EapServer } from '../../src/eap/eap-server.js';
import { HandshakePool } from '../../src/tls/engine-pool.js';
import { type LoopTime, Placement } from '../../src/tls/placement.js';
import { StoreSnapshot } from '../../src/store/snapshot.js';
import { SqliteCertStore } from '../../src/store/sqlite-adapter.js';
import { ChainVerifier } from '../../src/verify/chain.js';
import { Verifier } from '../../src/verify/decide.js';
import { parseCertificates } from '../../src/verify/cert-facts.js';
import { peerLogin } from '../helpers/eap-peer.js';
import { makeTestPki } from '../helpers/pki.js';

/** A fake event loop: each 100 ms window is `busy` (0..1) busy. */
function fakeLoop() {
  const t: LoopTime = { idle: 0, active: 0 };
  return {
    loopTime: () => ({ ...t }),
    window(busy: number) {
      t.active += 100 * busy;
      t.idle += 100 * (1 - busy);
    },
  };
}

/** How many of 100 new handshakes the placement keeps on the main thread in the next window. */
function inlineOf100(p: Placement, now: number): number {
  let n = 0;
  for (let i = 0; i < 100; i++) if (p.inline(now)) n++;
  return n;
}

describe('Placement', () => {
  it('keeps every handshake on the main thread while it has headroom', () => {
    const loop = fakeLoop();
    const p = new Placement(loop.loopTime, 0);
    for (let w = 1; w <= 20; w++) {
      loop.window(0.5);
      expect(inlineOf100(p, w * 100)).toBe(100);
    }
  });

  it('sends new handshakes to workers as the main thread fills, and takes them back as it empties', () => {
    const loop = fakeLoop();
    const p = new Placement(loop.loopTime, 0);
    const shares: number[] = [];
    let now = 0;
    for (let w = 0; w < 5; w++) {
      loop.window(1);
      now += 100;
      shares.push(inlineOf100(p, now));
    }
    // Down within a few windows, to none at all.
    expect(shares).toEqual([75, 50, 25, 0, 0]);
    expect(p.share).toBe(0);
    // Between the thresholds nothing changes; below them the share comes back, more slowly.
    loop.window(0.8);
    now += 100;
    expect(inlineOf100(p, now)).toBe(0);
    for (let w = 0; w < 10; w++) {
      loop.window(0.2);
      now += 100;
      inlineOf100(p, now);
    }
    expect(p.share).toBeCloseTo(1);
  });

  it('decides again only once per window', () => {
    const loop = fakeLoop();
    const p = new Placement(loop.loopTime, 0);
    loop.window(1);
    p.inline(100);
    const share = p.share;
    loop.window(1);
    p.inline(150); // same window: no new reading
    expect(p.share).toBe(share);
  });
});

describe('HandshakePool', () => {
  it('resumes a TLS 1.2 session on the thread that made it, even when new handshakes go to workers', async () => {
    const pki = makeTestPki();
    const store = SqliteCertStore.open(join(mkdtempSync(join(tmpdir(), 'certgate-placement-')), 'store.db'));
    await store.add(parseCertificates(readFileSync(pki.member('alice').cert))[0]!, new Date());
    const snapshot = new StoreSnapshot(store);
    await snapshot.refresh();
    const verifier = new Verifier({ chains: new ChainVerifier([readFileSync(pki.caCert)]), store: snapshot, realms: ['jaist.ac.jp'] });
    // The first handshake stays on the main thread, every later one would go to a worker (whose
    // entry point, compiled code in dist/, does not exist under vitest: it must not be used).
    let calls = 0;
    const placement = Object.assign(Object.create(Placement.prototype) as Placement, { share: 0, inline: () => calls++ === 0 });
    const workerErrors: Error[] = [];
    const pool = new HandshakePool({ certificate: pki.serverCert, privateKey: pki.serverKey, minVersion: '1.2', sessionLifetimeSeconds: 3600 }, 1, undefined, (e) => workerErrors.push(e), placement);
    try {
      const settings = { fragmentSize: 1024, maxMessageBytes: 65536, maxRounds: 60, idleTimeoutSeconds: 30, maxConversations: 100 };
      const eap = new EapServer(settings, pool.newHandshake, (chain, outerIdentity, now) => verifier.decide({ chain, outerIdentity, now }));
      const o = { member: 'alice', identity: 'alice@jaist.ac.jp', maxVersion: 'TLSv1.2' as const, noTickets: true };
      const first = await peerLogin(eap, pki, o);
      expect(first.r).toMatchObject({ kind: 'accept', summary: { resumed: false } });
      const second = await peerLogin(eap, pki, { ...o, session: first.session() });
      expect(second.r).toMatchObject({ kind: 'accept', summary: { resumed: true, tlsVersion: 'TLSv1.2' } });
      expect(pool.started).toEqual({ main: 2, worker: 0 });
    } finally {
      await pool.close();
      store.close();
    }
  });
});

// An EAP-TLS supplicant in memory: a real node:tls client (OpenSSL) over a pipe, driving an
// EapServer directly (no RADIUS). For state-machine, fragmentation and resumption tests.
import { readFileSync } from 'node:fs';
import { constants } from 'node:crypto';
import tls from 'node:tls';
import { expect } from 'vitest';
import type { EapResult, EapServer } from '../../src/eap/eap-server.js';
import { EapCode, EapType, decodeEap, encodeEap } from '../../src/eap/packet.js';
import { TlsFlag, decodeTlsFrame, encodeTlsFrame, fragment } from '../../src/eap/tls-framing.js';
import { HandshakePool } from '../../src/tls/engine-pool.js';
import { MemoryPipe } from '../../src/tls/memory-pipe.js';
import type { TestPki } from './pki.js';

/** Handshakes in this thread (no workers: the worker entry is compiled code in dist/). */
export const localHandshakes = (pki: TestPki, sessionLifetimeSeconds = 3600, tls13Server: 'certgate' | 'openssl' = 'certgate') =>
  new HandshakePool({ certificate: pki.serverCert, privateKey: pki.serverKey, minVersion: '1.2', sessionLifetimeSeconds, tls13Server }, 0).newHandshake;

const turns = async () => {
  for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r));
};

export interface PeerOptions {
  member?: string;
  identity?: string;
  maxVersion: tls.SecureVersion;
  peerFragment?: number;
  framedMtu?: number;
  /** A session from an earlier login, to resume. */
  session?: Buffer;
  /** Ask for no session tickets (SSL_OP_NO_TICKET). */
  noTickets?: boolean;
}

export interface PeerLogin {
  r: EapResult;
  socket: tls.TLSSocket;
  serverFragments: number;
  /** The session to resume next time (TLS 1.3: the last ticket; TLS 1.2: the session). */
  session: () => Buffer | undefined;
}

export async function peerLogin(eap: EapServer, pki: TestPki, o: PeerOptions): Promise<PeerLogin> {
  const pipe = new MemoryPipe();
  const m = pki.member(o.member ?? 'alice');
  let ticket: Buffer | undefined;
  const socket = tls.connect({
    socket: pipe,
    ca: readFileSync(pki.caCert),
    cert: readFileSync(m.cert),
    key: readFileSync(m.key),
    maxVersion: o.maxVersion,
    checkServerIdentity: () => undefined,
    ...(o.session ? { session: o.session } : {}),
    // As wpa_supplicant does for EAP-TLS: TLS 1.2 resumes by session ID then.
    ...(o.noTickets ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}),
  });
  socket.on('session', (s: Buffer) => (ticket = s));
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  const framedMtu = o.framedMtu ?? 1400;
  const peerFragment = o.peerFragment ?? 1000;
  const facts = { framedMtu };
  let r: EapResult = await eap.handle(encodeEap(EapCode.Response, 1, EapType.Identity, Buffer.from(o.identity ?? 'alice@jaist.ac.jp')), undefined, facts, new Date());
  let incoming: Buffer[] = [];
  let outgoing: Buffer[] = [];
  let serverFragments = 0;
  for (let round = 0; round < 200 && r.kind === 'challenge'; round++) {
    const state = r.state;
    const req = decodeEap(r.eap);
    if (!req.ok) throw new Error('bad request');
    const f = decodeTlsFrame(req.packet.data);
    if (!f.ok) throw new Error('bad frame');
    expect(r.eap.length).toBeLessThanOrEqual(framedMtu);
    let typeData: Buffer;
    if (f.frame.flags & TlsFlag.Start) {
      await turns();
      outgoing = fragment(pipe.collect(), peerFragment);
      typeData = outgoing.shift()!;
    } else if (outgoing.length > 0) {
      typeData = outgoing.shift()!; // the server ACKed our fragment
    } else {
      serverFragments++;
      incoming.push(f.frame.payload);
      if (f.frame.flags & TlsFlag.More) {
        typeData = encodeTlsFrame(0, Buffer.alloc(0)); // ACK
      } else {
        pipe.deliver(Buffer.concat(incoming));
        incoming = [];
        await turns();
        const out = pipe.collect();
        outgoing = out.length ? fragment(out, peerFragment) : [encodeTlsFrame(0, Buffer.alloc(0))];
        typeData = outgoing.shift()!;
      }
    }
    r = await eap.handle(encodeEap(EapCode.Response, req.packet.identifier, EapType.Tls, typeData), state, facts, new Date());
  }
  return { r, socket, serverFragments, session: () => (o.maxVersion === 'TLSv1.3' ? ticket : socket.getSession()) };
}

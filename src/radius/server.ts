import dgram from 'node:dgram';
import type { Endpoint } from '../config/endpoint.js';
import type { ClientConfig } from '../config/load.js';
import { verifyMessageAuthenticator, verifyRequestAuthenticator } from './authenticator.js';
import type { ClientTable } from './clients.js';
import { DuplicateCache } from './dedup.js';
import { Attr, Code, type RadiusAttribute, type RadiusPacket, getAttribute } from './packet.js';
import { decodePacket } from './parser.js';
import { encodeReply } from './reply.js';

const ZERO_AUTH = Buffer.alloc(16);

export interface RequestContext {
  client: ClientConfig;
  packet: RadiusPacket;
  source: { address: string; port: number };
  receivedAt: Date;
}

/** A reply without Message-Authenticator and authenticators: the transport adds those. */
export interface ReplyDraft {
  code: number;
  attributes: RadiusAttribute[];
}

export type HandlerResult = ReplyDraft | { drop: string };
export type AccessHandler = (ctx: RequestContext) => Promise<HandlerResult>;

/**
 * What a listener accepts, by packet code. `access`: a random Request Authenticator, trust rests on
 * Message-Authenticator (Access-Request). `computed`: the Request Authenticator is an MD5 over the
 * packet and secret (Accounting-Request, RFC 2866; CoA/Disconnect, RFC 5176).
 */
export type Routes = Partial<Record<number, { authenticator: 'access' | 'computed'; handle: AccessHandler }>>;

export interface TransportObserver {
  dropped(reason: string): void;
  request(code: number, client: string): void;
  replied(code: number): void;
  error(err: Error, where: string): void;
}

const CODE_NAMES: Record<number, string> = {
  [Code.AccessRequest]: 'access_request',
  [Code.StatusServer]: 'status_server',
  [Code.AccountingRequest]: 'accounting_request',
  [Code.DisconnectRequest]: 'disconnect_request',
  [Code.CoARequest]: 'coa_request',
};
export const codeName = (c: number) => CODE_NAMES[c] ?? String(c);

/**
 * A set of RADIUS listeners (authentication, or accounting): UDP in, the checks every packet must
 * pass before any work (known client, well-formed, authenticators), duplicate detection, and the
 * reply with Message-Authenticator first (BlastRADIUS) and Proxy-State echoed (RFC 2865 5.33).
 */
export class RadiusServer {
  private readonly sockets: dgram.Socket[] = [];
  readonly duplicates: DuplicateCache;
  private sweepTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private closing = false;

  constructor(
    private clients: ClientTable,
    private readonly routes: Routes,
    private readonly observer: TransportObserver,
    duplicateTtlMs: number,
    private readonly maxPending = 4096,
  ) {
    this.duplicates = new DuplicateCache({ ttlMs: duplicateTtlMs, max: 65_536 });
  }

  setClients(clients: ClientTable): void {
    this.clients = clients;
  }

  async listen(endpoints: Endpoint[]): Promise<void> {
    for (const e of endpoints) {
      const socket = dgram.createSocket({ type: e.family === 6 ? 'udp6' : 'udp4', ipv6Only: e.family === 6, reuseAddr: false });
      socket.on('message', (msg, rinfo) => this.onMessage(socket, msg, rinfo));
      socket.on('error', (err) => this.observer.error(err, 'udp socket'));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(e.port, e.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      this.sockets.push(socket);
    }
    this.sweepTimer = setInterval(() => this.duplicates.sweep(Date.now()), 1000).unref();
  }

  /** Bound addresses (with real ports when 0 was configured). */
  addresses(): { address: string; port: number; family: string }[] {
    return this.sockets.map((s) => s.address());
  }

  get pending(): number {
    return this.inFlight;
  }

  /** Stops taking new conversations; requests already inside may still be answered. */
  stopAccepting(): void {
    this.closing = true;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.all(this.sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.sockets.length = 0;
  }

  private onMessage(socket: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const client = this.clients.match(rinfo.address);
    if (!client) return this.observer.dropped('unknown_client');
    const d = decodePacket(msg);
    if (!d.ok) return this.observer.dropped('malformed');
    const p = d.packet;
    const route = this.routes[p.code];
    if (!route && p.code !== Code.StatusServer) return this.observer.dropped('unsupported_code');

    if (route?.authenticator === 'computed') {
      if (!verifyRequestAuthenticator(d.raw, client.secret)) return this.observer.dropped('bad_authenticator');
      // Its Message-Authenticator, if any, is computed with the authenticator field zeroed (RFC 5176 3.3).
      if (d.messageAuthenticatorOffset >= 0 && !verifyMessageAuthenticator(d.raw, d.messageAuthenticatorOffset, client.secret, ZERO_AUTH)) {
        return this.observer.dropped('bad_authenticator');
      }
    } else if (d.messageAuthenticatorOffset >= 0) {
      if (!verifyMessageAuthenticator(d.raw, d.messageAuthenticatorOffset, client.secret)) return this.observer.dropped('bad_authenticator');
    } else if (p.code === Code.StatusServer || client.requireMessageAuthenticator || getAttribute(p, Attr.EapMessage)) {
      // RFC 5997 requires it on Status-Server, RFC 3579 on anything with EAP-Message, BlastRADIUS on the rest.
      return this.observer.dropped('missing_message_authenticator');
    } else if (client.limitProxyState && getAttribute(p, Attr.ProxyState)) {
      // FreeRADIUS limit_proxy_state: a NAS excused from MA does not proxy, and Proxy-State without
      // MA is the shape of the BlastRADIUS forgery (CVE-2024-3596).
      return this.observer.dropped('limit_proxy_state');
    }

    const key = `${rinfo.address}|${rinfo.port}|${p.identifier}`;
    const now = Date.now();
    const dup = this.duplicates.check(key, p.authenticator, now);
    if (dup.kind === 'replay') {
      this.observer.dropped('duplicate');
      socket.send(dup.reply, rinfo.port, rinfo.address);
      return;
    }
    if (dup.kind === 'in_progress') return this.observer.dropped('duplicate');
    this.observer.request(p.code, client.name);

    if (!route) {
      // Status-Server (RFC 5997): Access-Accept on an auth port, Accounting-Response on an
      // accounting one; no other processing.
      const code = this.routes[Code.AccountingRequest] ? Code.AccountingResponse : Code.AccessAccept;
      return this.send(socket, rinfo, key, client, p, { code, attributes: [] });
    }
    if (this.closing && p.code === Code.AccessRequest && !getAttribute(p, Attr.State)) {
      this.duplicates.complete(key, p.authenticator, undefined);
      return this.observer.dropped('shutting_down');
    }

    // Bounded work in flight; conversations in progress (State) are favoured: new logins are turned
    // away at the limit, the rest only at twice it.
    if (this.inFlight >= (getAttribute(p, Attr.State) ? 2 * this.maxPending : this.maxPending)) {
      this.duplicates.complete(key, p.authenticator, undefined);
      return this.observer.dropped('overloaded');
    }
    this.inFlight++;
    route
      .handle({ client, packet: p, source: { address: rinfo.address, port: rinfo.port }, receivedAt: new Date(now) })
      .then(
        (r) => {
          if ('drop' in r) {
            this.duplicates.complete(key, p.authenticator, undefined);
            this.observer.dropped(r.drop);
          } else {
            this.send(socket, rinfo, key, client, p, r);
          }
        },
        (err: Error) => {
          // A bug or I/O failure: no answer (the NAS retries), but never a silent one for us.
          this.duplicates.complete(key, p.authenticator, undefined);
          this.observer.error(err, 'access handler');
          this.observer.dropped('internal_error');
        },
      )
      .finally(() => this.inFlight--);
  }

  private send(socket: dgram.Socket, rinfo: dgram.RemoteInfo, key: string, client: ClientConfig, req: RadiusPacket, draft: ReplyDraft): void {
    const proxyState = req.attributes.filter((a) => a.type === Attr.ProxyState);
    const reply = encodeReply({
      code: draft.code,
      identifier: req.identifier,
      requestAuthenticator: req.authenticator,
      attributes: proxyState.length ? [...draft.attributes, ...proxyState] : draft.attributes,
      secret: client.secret,
      // No MA in an Accounting-Response to an Accounting-Request: RFC 2866 defines none, and
      // FreeRADIUS/radclient check one over a zeroed authenticator, not the request's as RFC 3579
      // replies do. Left out, it interoperates with both; the Response Authenticator protects it.
      messageAuthenticator: req.code !== Code.AccountingRequest,
    });
    this.duplicates.complete(key, req.authenticator, reply);
    this.observer.replied(draft.code);
    socket.send(reply, rinfo.port, rinfo.address);
  }
}

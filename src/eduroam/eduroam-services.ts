// The eduroam parts of the gateway, built from the configuration and owned here so the composition
// root only calls into them: CUI (key and value), realm proxying, accounting listeners, F-Ticks,
// and the decision records of proxied logins.
import { createHmac } from 'node:crypto';
import { AccountingEvents } from '../accounting/accounting-events.js';
import { accountingHandler } from '../accounting/accounting-handler.js';
import { type AccountingSink, accountingSink } from '../accounting/accounting-log.js';
import type { Config } from '../config/load.js';
import type { DecisionRecord, DecisionRing } from '../obs/decision-ring.js';
import type { Logger } from '../obs/log.js';
import type { Metrics } from '../obs/metrics.js';
import { proxyFromConfig } from '../proxy/from-config.js';
import type { ProxiedOutcome, ProxyForwarder } from '../proxy/proxy-forwarder.js';
import { checkNai } from '../proxy/realm-router.js';
import type { ClientTable } from '../radius/clients.js';
import { Attr, Code, type RadiusPacket, getString } from '../radius/packet.js';
import { RadiusServer, type RequestContext, codeName } from '../radius/server.js';
import type { Decision } from '../verify/reasons.js';
import { cuiFor } from './cui.js';
import { defaultCuiKeyFile, loadOrCreateCuiKey } from './cui-key.js';
import { FticksSink } from './f-ticks.js';

export interface EduroamDeps {
  config: Config;
  metrics: Metrics;
  log: Logger;
  decisions: DecisionRing;
  clients: ClientTable;
  /** Logs a decision made here (a refused realm) through the gateway's one decision log. */
  localReject(ctx: RequestContext, decision: Decision): void;
  /** The gateway's local identity realms, read per login (they follow a reload). */
  localRealms(): readonly string[];
}

export class EduroamServices {
  readonly proxy: ProxyForwarder;
  /** Accounting records as they are written: subscribe for live sessions. */
  readonly accounting: AccountingEvents;
  private readonly accountingLog: AccountingSink;
  private readonly accountingServer: RadiusServer | undefined;
  private readonly fticks: FticksSink;
  private readonly cuiKey: Buffer | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly d: EduroamDeps) {
    const { config, metrics: m, log } = d;
    this.cuiKey = resolveCuiKey(config, log);
    // F-Ticks hashes station ids with a key of its own, derived from the CUI key (so it is stable too).
    const csiKey = createHmac('sha256', this.cuiKey ?? Buffer.alloc(32)).update('certgate F-Ticks CSI').digest();
    this.fticks = new FticksSink(config.fticks, csiKey, log);
    this.proxy = proxyFromConfig(
      config.proxy,
      d.localRealms,
      m,
      {
        localReject: d.localReject,
        finished: (ctx, o) => this.proxied(ctx, o),
        failed: (ctx, f) =>
          log.warn({ event: 'proxy', ...f, outerIdentity: getString(ctx.packet, Attr.UserName) ?? null, callingStationId: getString(ctx.packet, Attr.CallingStationId) ?? null }, `proxy: no usable answer (${f.result})`),
      },
      log,
    );
    this.accounting = new AccountingEvents((err) => log.error({ err }, 'accounting subscriber failed'));
    this.accountingLog = accountingSink(config.accounting.log, log);
    if (config.radius.accountingListen.length > 0) {
      const handle = accountingHandler(this.accountingLog, this.accounting, {
        recorded: (status) => m.accountingRequests.inc({ status_type: status }),
        failed: (err) => {
          m.accountingFailures.inc();
          log.error({ err }, 'accounting record not written: no Accounting-Response');
        },
      });
      this.accountingServer = new RadiusServer(
        d.clients,
        { [Code.AccountingRequest]: { authenticator: 'computed', handle } },
        {
          // The same transport metrics as the authentication listener.
          dropped: (reason) => m.radiusDropped.inc({ reason }),
          request: (code, client) => m.radiusRequests.inc({ code: codeName(code), client }),
          replied: (code) => m.radiusReplies.inc({ code: String(code) }),
          error: (err, where) => log.error({ err, where }, 'internal error'),
        },
        config.radius.duplicateCacheSeconds * 1000,
        config.radius.maxPendingRequests,
      );
    }
  }

  async start(): Promise<void> {
    if (this.accountingServer) await this.accountingServer.listen(this.d.config.radius.accountingListen);
    this.sweepTimer = setInterval(() => this.proxy.sweep(Date.now()), 1000);
    this.sweepTimer.unref();
  }

  accountingAddresses(): string[] {
    return (this.accountingServer?.addresses() ?? []).map((a) => (a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`));
  }

  setClients(clients: ClientTable): void {
    this.accountingServer?.setClients(clients);
  }

  /** SIGHUP: reopen the accounting file (log rotation). */
  reopenLogs(): void {
    void this.accountingLog.reopen();
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.accountingServer?.close();
    this.proxy.close();
    await this.accountingLog.close();
    await this.fticks.close();
  }

  /** The CUI to put in an Access-Accept for this member, or undefined when the NAS did not ask. */
  cui(request: RadiusPacket, member: string): string | undefined {
    const cui = cuiFor(request, member, this.cuiKey);
    if (cui !== undefined) this.d.metrics.cuiIssued.inc();
    return cui;
  }

  /** One F-Ticks line for a finished login (local or proxied). */
  loginFinished(ctx: RequestContext, outerIdentity: string | null, ok: boolean): void {
    const nai = outerIdentity === null ? null : checkNai(outerIdentity);
    this.fticks.login(
      {
        realm: nai?.realm ?? null,
        operatorName: getString(ctx.packet, Attr.OperatorName) ?? null,
        callingStationId: getString(ctx.packet, Attr.CallingStationId) ?? null,
        ok,
      },
      new Date(),
    );
  }

  /** A proxied login's end goes to the same decision log and ring as local ones, marked proxied. */
  private proxied(ctx: RequestContext, o: ProxiedOutcome): void {
    const now = Date.now();
    const record: DecisionRecord = {
      time: new Date(now).toISOString(),
      result: o.result,
      reason: 'proxied',
      detail: `${o.result === 'accept' ? 'accepted' : 'rejected'} by ${o.server} (realm ${o.realm}, route ${o.route})`,
      member: null,
      serial: null,
      issuer: null,
      outerIdentity: o.outerIdentity,
      callingStationId: getString(ctx.packet, Attr.CallingStationId) ?? null,
      client: ctx.client.name,
      nas: ctx.source.address,
      tlsVersion: null,
      resumed: false,
      durationMs: now - o.startedAt,
      cui: o.cui,
      proxied: true,
      upstream: o.server,
      realm: o.realm,
    };
    this.d.decisions.push(record);
    this.d.log.info({ event: 'decision', ...record, time: undefined, userName: o.userName, rounds: o.rounds }, `login ${o.result}: proxied to ${o.server}`);
    this.loginFinished(ctx, o.outerIdentity, o.result === 'accept');
  }
}

function resolveCuiKey(config: Config, log: Logger): Buffer | undefined {
  const file = defaultCuiKeyFile(config.store, config.file);
  try {
    const k = loadOrCreateCuiKey(config.identity.cuiKey, file);
    if (k.source === 'created') log.info({ file: k.path }, 'CUI key created (keep this file: CUIs change without it)');
    if (k.source !== 'config' && config.store.kind === 'postgres') {
      log.warn({ file: k.path }, 'CUI key kept in a local file: with several gateways, set identity.cuiKeyFile to one shared key');
    }
    return k.key;
  } catch (err) {
    // Only CUI depends on it: logins go on, Access-Accepts carry no CUI, and the log says why.
    log.error({ err, file }, 'no CUI key: Access-Accepts will carry no Chargeable-User-Identity');
    return undefined;
  }
}

// The accounting listener's handler: Accounting-Request (its computed Request Authenticator already
// checked by the transport) → record → written → subscribers → Accounting-Response. Never forwarded.
import { Code } from '../radius/packet.js';
import type { HandlerResult, RequestContext } from '../radius/server.js';
import type { AccountingEvents } from './accounting-events.js';
import type { AccountingSink } from './accounting-log.js';
import { accountingRecord, statusLabel } from './accounting-record.js';

export interface AccountingMetrics {
  recorded(statusLabel: string): void;
  failed(err: unknown): void;
}

export function accountingHandler(sink: AccountingSink, events: AccountingEvents, metrics: AccountingMetrics): (ctx: RequestContext) => Promise<HandlerResult> {
  return async (ctx) => {
    const record = accountingRecord(ctx.packet, { client: ctx.client.name, nas: ctx.source.address, receivedAt: ctx.receivedAt });
    try {
      await sink.write(record);
    } catch (err) {
      // Unrecorded: no answer, so the NAS retries (or fails over to another accounting server).
      metrics.failed(err);
      return { drop: 'accounting_not_recorded' };
    }
    metrics.recorded(statusLabel(record.statusType));
    events.emit(record);
    return { code: Code.AccountingResponse, attributes: [] };
  };
}

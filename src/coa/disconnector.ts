// Where a session's Disconnect-Request goes and with which secret: the RADIUS client the
// accounting came through, when it has `coaPort` (no coaPort: no Disconnect for that client), at
// `coaAddress` or else the address the accounting came from.
import type { ClientConfig } from '../config/load.js';
import { unmapIPv4 } from '../radius/clients.js';
import type { LiveSession } from '../sessions/table.js';
import type { Destination, DisconnectClient, DisconnectOutcome, DisconnectSettings } from './client.js';

export type DisconnectResult = DisconnectOutcome | { outcome: 'no_coa_port'; attempts: 0; message: string };

export function destinationFor(s: Pick<LiveSession, 'client' | 'nas'>, clients: readonly ClientConfig[]): { dest: Destination; secret: Buffer } | string {
  const c = clients.find((x) => x.name === s.client);
  if (!c) return `RADIUS client ${s.client} is no longer configured`;
  if (c.coaPort === undefined) return `RADIUS client ${s.client} has no coaPort`;
  return { dest: { address: c.coaAddress ?? unmapIPv4(s.nas), port: c.coaPort }, secret: c.secret };
}

export class Disconnector {
  constructor(
    private readonly client: DisconnectClient,
    /** The clients of the running configuration (read at every send: a reload applies at once). */
    private readonly clients: () => readonly ClientConfig[],
  ) {}

  get outstanding(): number {
    return this.client.outstanding;
  }

  /** Retransmission settings (a reload applies them to the next request). */
  set settings(s: DisconnectSettings) {
    this.client.settings = s;
  }

  async disconnect(s: LiveSession, now: Date): Promise<{ result: DisconnectResult; dest: Destination | null }> {
    const to = destinationFor(s, this.clients());
    if (typeof to === 'string') return { result: { outcome: 'no_coa_port', attempts: 0, message: to }, dest: null };
    const target = {
      userName: s.userName,
      acctSessionId: s.acctSessionId,
      callingStationId: s.callingStationId,
      nasIdentifier: s.nasIdentifier,
      nasIpAddress: s.nasIpAddress,
      nasIpv6Address: s.nasIpv6Address,
    };
    return { result: await this.client.send(to.dest, target, to.secret, now), dest: to.dest };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

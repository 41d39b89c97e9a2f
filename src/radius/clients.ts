import { BlockList, isIPv4 } from 'node:net';
import type { ClientConfig } from '../config/load.js';

/**
 * Source address → RADIUS client (and so its secret). The most specific network wins, so a single
 * AP can be given its own secret inside a campus-wide range.
 */
export class ClientTable {
  private readonly entries: { client: ClientConfig; list: BlockList }[];
  // Bounded memo of recent lookups: the match is per packet, the set of NAS addresses is small.
  private readonly memo = new Map<string, ClientConfig | null>();
  private static readonly MEMO_MAX = 4096;

  constructor(clients: ClientConfig[]) {
    this.entries = [...clients]
      .sort((a, b) => b.network.prefix - a.network.prefix)
      .map((client) => {
        const list = new BlockList();
        const type = client.network.family === 4 ? 'ipv4' : 'ipv6';
        list.addSubnet(client.network.address, client.network.prefix, type);
        return { client, list };
      });
  }

  match(address: string): ClientConfig | undefined {
    const hit = this.memo.get(address);
    if (hit !== undefined) return hit ?? undefined;
    const addr = unmapIPv4(address);
    const type = isIPv4(addr) ? 'ipv4' : 'ipv6';
    const found = this.entries.find((e) => e.client.network.family === (type === 'ipv4' ? 4 : 6) && e.list.check(addr, type))?.client;
    if (this.memo.size >= ClientTable.MEMO_MAX) this.memo.clear();
    this.memo.set(address, found ?? null);
    return found;
  }
}

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) is the IPv4 address. */
export const unmapIPv4 = (a: string) => (a.startsWith('::ffff:') && isIPv4(a.slice(7)) ? a.slice(7) : a);

// The servers of one realm route, in configured order (primary first): a fail-over pool.
import type { UpstreamServer } from './upstream-server.js';

export class UpstreamPool {
  constructor(
    /** The configured realm, or "*". */
    readonly route: string,
    readonly servers: readonly UpstreamServer[],
  ) {}

  /**
   * The order to try servers in for a new conversation: live ones first, in configured order, then
   * dead ones as a last resort (so a server that ignores Status-Server is still used when nothing
   * else answers).
   */
  candidates(): UpstreamServer[] {
    return [...this.servers.filter((s) => s.up), ...this.servers.filter((s) => !s.up)];
  }
}

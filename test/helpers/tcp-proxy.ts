// A TCP proxy between the gateways and PostgreSQL that a test can cut: cut() destroys every
// connection and refuses new ones (as a dead server or a broken network path would), restore()
// lets connections through again. The database server itself keeps running.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connections currently relayed. */
  readonly open: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ a: net.Socket; b: net.Socket }>();
  let cutOff = false;
  const server = net.createServer((client) => {
    if (cutOff) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    const pair = { a: client, b: upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get open() {
      return pairs.size;
    },
    cut() {
      cutOff = true;
      for (const p of [...pairs]) {
        p.a.destroy();
        p.b.destroy();
      }
      pairs.clear();
    },
    restore() {
      cutOff = false;
    },
    async close() {
      this.cut();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

import type { Config } from '../config/load.js';
import { ConfigError } from '../config/load.js';
import { Gateway } from '../gateway.js';

/** Runs until SIGTERM/SIGINT; SIGHUP reloads the configuration. */
export async function serve(config: Config): Promise<number> {
  let gw: Gateway;
  try {
    gw = new Gateway(config);
  } catch (e) {
    process.stderr.write(`certgate: cannot start: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    await gw.start();
  } catch (e) {
    process.stderr.write(`certgate: cannot start: ${(e as Error).message}\n`);
    await gw.close().catch(() => undefined);
    return 2;
  }
  // node:tls cannot set the TLS 1.3 ticket count; config/openssl.cnf does, if node was started with it.
  if (!process.execArgv.some((a) => a.startsWith('--openssl-config')) && process.env.OPENSSL_CONF === undefined) {
    gw.log.warn(
      { fix: 'node --openssl-config=config/openssl.cnf bin/certgate.js serve …' },
      'OpenSSL settings not loaded: full TLS 1.3 logins get two session tickets and one more round trip',
    );
  }
  process.on('SIGHUP', () => {
    try {
      gw.reload();
    } catch (e) {
      const msg = e instanceof ConfigError ? e.message : (e as Error).message;
      gw.log.error({ error: msg }, 'reload refused; the running configuration stays');
    }
  });
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      gw.log.info({ signal }, 'shutting down');
      gw.shutdown().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { Config } from '../config/load.js';
import { ConfigError } from '../config/load.js';
import { Gateway } from '../gateway.js';
import { heapGrowthFlag } from './heap-growth.js';

/** Runs until SIGTERM/SIGINT; SIGHUP reloads the configuration. */
export async function serve(config: Config): Promise<number> {
  const heapFlag = heapGrowthFlag(process.execArgv);
  if (heapFlag) setFlagsFromString(heapFlag);
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
  // node:tls cannot set the TLS 1.3 ticket count; config/openssl.cnf does, if node was started with
  // it. Node silently ignores a file that does not exist, so check that too.
  const opensslConfig = opensslConfigFile(process.execArgv, process.env.OPENSSL_CONF);
  if (opensslConfig === undefined || !existsSync(opensslConfig)) {
    gw.log.warn(
      { opensslConfig: opensslConfig ?? null, fix: 'node --openssl-config=config/openssl.cnf bin/certgate.js serve …' },
      opensslConfig === undefined
        ? 'OpenSSL settings not loaded: full TLS 1.3 logins get two session tickets and one more round trip'
        : `OpenSSL settings not loaded: ${opensslConfig} does not exist; full TLS 1.3 logins get two session tickets and one more round trip`,
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

/** The OpenSSL configuration file node was started with (--openssl-config=F, --openssl-config F, OPENSSL_CONF). */
export function opensslConfigFile(execArgv: string[], env: string | undefined): string | undefined {
  const i = execArgv.findIndex((a) => a === '--openssl-config' || a.startsWith('--openssl-config='));
  if (i < 0) return env;
  return execArgv[i]!.includes('=') ? execArgv[i]!.slice('--openssl-config='.length) : execArgv[i + 1];
}

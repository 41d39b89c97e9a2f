import { ConfigError, loadConfig } from '../config/load.js';
import { serve } from './serve.js';
import { check } from './check.js';
import { storeCommand } from './store-command.js';
import { sessionsCommand } from './sessions-command.js';
import { openCertStore } from '../store/open.js';
import { BENCH_USAGE, benchCommand } from '../bench/bench-command.js';

const USAGE = `certgate: RADIUS/EAP-TLS certificate verification gateway

usage:
  certgate serve --config FILE                 run the gateway
  certgate check --config FILE CERT.pem [--identity NAME] [--client NAME]
                                               decide on a certificate (chain) offline, with the
                                               reply the policy would send; exit 0 on accept, 1 on reject
  certgate store --config FILE add FILE...     record issued certificates (PEM, DER, bundles)
  certgate store --config FILE import --openssl-index index.txt --certs DIR
  certgate store --config FILE list [--json]
  certgate store --config FILE revoke --serial HEX --reason REASON
  certgate sessions --config FILE list [--member EMAIL] [--json] [--url URL]
  certgate sessions --config FILE disconnect (--member EMAIL | --id ID) [--url URL]
                                               live sessions of the running gateway; RFC 5176
                                               Disconnect by hand (through its admin API)
  certgate bench --server HOST:PORT --secret S --ca CA.pem --cert C.pem --key C.key
                 [--identity NAME] [--concurrency N] (--duration SECONDS | --count N)
                 [--tls 1.2|1.3] [--resume] [--json]
                                               EAP-TLS load generator (certgate bench --help)
  certgate --help

exit codes: 0 ok, 1 rejected/refused, 2 usage or configuration error,
            3 store unreachable (certgate store: the failing write was not made; retry),
              or the gateway's admin API unreachable (certgate sessions)
`;

/** Takes `--config FILE` (or --config=FILE) out of argv. */
export function takeOption(argv: string[], name: string): { value: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === name) value = argv[++i];
    else if (a.startsWith(`${name}=`)) value = a.slice(name.length + 1);
    else rest.push(a);
  }
  return { value, rest };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  // The load generator talks to any RADIUS server and reads no configuration.
  if (command === 'bench') {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`${BENCH_USAGE}\n`);
      return 0;
    }
    return benchCommand(args);
  }
  const { value: configPath, rest } = takeOption(args, '--config');
  if (!['serve', 'check', 'store', 'sessions'].includes(command)) {
    process.stderr.write(`certgate: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  if (!configPath) {
    process.stderr.write(`certgate ${command}: --config FILE is required\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(configPath);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`certgate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  switch (command) {
    case 'serve':
      return serve(config);
    case 'check':
      return check(config, rest);
    case 'sessions':
      return sessionsCommand(config, rest, { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) });
    default:
      return storeCommand(rest, {
        openStore: () => openCertStore(config.store, { follow: false }),
        out: (l) => process.stdout.write(`${l}\n`),
        err: (l) => process.stderr.write(`${l}\n`),
        now: () => new Date(),
      });
  }
}

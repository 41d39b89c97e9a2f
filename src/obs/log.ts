import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines (pino) to stdout. Secrets never reach the logger: callers pass chosen fields, and the
 * redact list is a second guard for the names a secret could travel under.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'certgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['secret', '*.secret', 'msk', '*.msk', 'key', '*.key', 'password', '*.password'], censor: '[redacted]' },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

import { pino, type Logger } from 'pino';

export type { Logger };

/** Field names a secret could travel under; their values never reach the log. */
const SECRET_FIELDS = new Set(['secret', 'msk', 'key', 'password']);
export const REDACTED = '[redacted]';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);

/**
 * The logged object with secret fields at the top level or one level down replaced; the object
 * itself when there are none (the usual case), so a log line costs no copy. pino's own `redact`
 * did the same job by cloning every object-valued field of every line: 17 KB of garbage per
 * login and a share of each GC pause (docs/BENCHMARKS.md, issue 5, third session).
 */
export function redactSecrets(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (SECRET_FIELDS.has(k)) {
      (out ??= { ...obj })[k] = REDACTED;
    } else if (isPlainObject(v)) {
      let inner: Record<string, unknown> | undefined;
      for (const j of Object.keys(v)) if (SECRET_FIELDS.has(j)) (inner ??= { ...v })[j] = REDACTED;
      if (inner) (out ??= { ...obj })[k] = inner;
    }
  }
  return out ?? obj;
}

/**
 * JSON lines (pino) to stdout. Secrets never reach the logger: callers pass chosen fields, and
 * redactSecrets is a second guard for the names a secret could travel under.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'certgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Runs on each line's fields. Child-logger bindings would not pass through it; certgate
      // makes no child loggers.
      formatters: { log: redactSecrets },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

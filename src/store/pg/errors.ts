// Which PostgreSQL failures mean "the store cannot be reached" (retry later, nothing acknowledged)
// as opposed to a bug or a schema problem, which must not be dressed up as an outage.
import { StoreUnavailableError } from '../store.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
// SQLSTATE: class 08 connection exception; 57P01-57P03 admin/crash shutdown, cannot connect now;
// 53300 too many connections.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Query read timeout',
  'the certificate store connection is closed',
];

export function isUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return DRIVER_MESSAGES.some((m) => err.message.includes(m));
}

function describeError(err: Error): string {
  // An AggregateError (connect tried IPv4 and IPv6) has an empty message: use its parts.
  const parts = err instanceof AggregateError ? err.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))) : [];
  return err.message || parts.join('; ') || String((err as { code?: unknown }).code ?? 'unknown error');
}

/** Unavailable → StoreUnavailableError naming the store; anything else is returned unchanged. */
export function mapError(err: unknown, where: string): unknown {
  if (err instanceof StoreUnavailableError || !isUnavailable(err)) return err;
  return new StoreUnavailableError(`the certificate store ${where} is unreachable: ${describeError(err as Error)}`, { cause: err });
}

import { readFileSync } from 'node:fs';
import { newTicketKeys } from './context.js';

/**
 * Session ticket keys: 48 bytes (OpenSSL's name + HMAC + AES keys). From a file when several
 * gateways must resume each other's sessions (raw 48 bytes, or 96 hex / 64 base64 characters);
 * otherwise random per process.
 */
export function readTicketKeys(file: string | undefined): Buffer {
  if (!file) return newTicketKeys();
  const raw = readFileSync(file);
  if (raw.length === 48) return raw;
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]{96}$/.test(text)) return Buffer.from(text, 'hex');
  const b64 = Buffer.from(text, 'base64');
  if (b64.length === 48) return b64;
  throw new Error(`${file}: ticket keys must be 48 bytes (raw, 96 hex or base64 characters)`);
}

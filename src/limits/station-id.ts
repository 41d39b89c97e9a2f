// Calling-Station-Id as a key for limits and pacing. NASes write the same MAC as "02-00-00-00-00-01",
// "02:00:00:00:00:01", "0200.0000.0001" or "020000000001", in either case: one device must be one
// key whatever its NAS's habit, or a per-device limit is trivially dodged.

const SEPARATORS = /[-:.\s]/g;
const TWELVE_HEX = /^[0-9a-fA-F]{12}$/;
// A key is held in tables; an attribute may be 253 bytes of anything, so keep keys short.
const MAX_KEY = 64;

/** The 12 lowercase hex digits of a MAC; any other value as given (cut to 64 characters); undefined when absent. */
export function stationKey(value: string | undefined): string | undefined {
  if (value === undefined || value.length === 0) return undefined;
  const hex = value.replace(SEPARATORS, '');
  if (TWELVE_HEX.test(hex)) return hex.toLowerCase();
  return value.length > MAX_KEY ? value.slice(0, MAX_KEY) : value;
}

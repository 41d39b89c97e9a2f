import { describe, expect, it } from 'vitest';
import { stationKey } from '../../src/limits/station-id.js';

describe('stationKey (Calling-Station-Id normalised)', () => {
  it('reduces every MAC spelling to 12 lowercase hex digits', () => {
    for (const v of ['02-00-00-AB-cd-01', '02:00:00:ab:CD:01', '0200.00ab.cd01', '020000ABCD01', '02 00 00 ab cd 01']) {
      expect(stationKey(v)).toBe('020000abcd01');
    }
  });
  it('keeps anything else as given (bounded), and absent as undefined', () => {
    expect(stationKey('10.1.2.3')).toBe('10.1.2.3');
    expect(stationKey('02-00-00-ab-cd-01:eduroam')).toBe('02-00-00-ab-cd-01:eduroam');
    expect(stationKey('0200-00ab-cd0')).toBe('0200-00ab-cd0');
    expect(stationKey('x'.repeat(253))).toHaveLength(64);
    expect(stationKey(undefined)).toBeUndefined();
    expect(stationKey('')).toBeUndefined();
  });
});

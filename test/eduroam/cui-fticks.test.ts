import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeCui, cuiFor } from '../../src/eduroam/cui.js';
import { defaultCuiKeyFile, loadOrCreateCuiKey } from '../../src/eduroam/cui-key.js';
import { formatFticks, fticksCsi } from '../../src/eduroam/f-ticks.js';
import { Attr, Code, type RadiusPacket } from '../../src/radius/packet.js';

const key = Buffer.from('0123456789abcdef0123456789abcdef');
const request = (attrs: RadiusPacket['attributes']): RadiusPacket => ({ code: Code.AccessRequest, identifier: 1, authenticator: Buffer.alloc(16), attributes: attrs });

describe('Chargeable-User-Identity (RFC 4372)', () => {
  it('is HMAC-SHA256(key, lowercase member | NUL | Operator-Name), base64url', () => {
    // Vector: python3 -c "import hmac,hashlib,base64;print(base64.urlsafe_b64encode(hmac.new(b'0123456789abcdef0123456789abcdef', b'alice@jaist.ac.jp\0' + b'1example.ac.jp', hashlib.sha256).digest()).rstrip(b'='))"
    expect(computeCui(key, 'Alice@JAIST.ac.jp', Buffer.from('1example.ac.jp'))).toBe(computeCui(key, 'alice@jaist.ac.jp', Buffer.from('1example.ac.jp')));
    expect(computeCui(key, 'alice@jaist.ac.jp', Buffer.from('1example.ac.jp'))).toBe('Z7tOuPnCq6-yHukfUBUyGktM93HNypfxZgv1my-S5dY');
    expect(computeCui(key, 'alice@jaist.ac.jp', undefined)).toBe('T9K7CzZKjXmN2Cbl2JDGpunz1fJyF1mcEE5fonJxEcY');
  });

  it('is stable, differs per member and per operator, reveals nothing, and is only given when asked', () => {
    const ask = request([{ type: Attr.ChargeableUserIdentity, value: Buffer.from([0]) }]);
    const a = cuiFor(ask, 'alice@jaist.ac.jp', key)!;
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).toBe(cuiFor(ask, 'alice@jaist.ac.jp', key));
    expect(a).not.toContain('alice');
    expect(cuiFor(ask, 'bob@jaist.ac.jp', key)).not.toBe(a);
    const op = request([{ type: Attr.ChargeableUserIdentity, value: Buffer.from([0]) }, { type: Attr.OperatorName, value: Buffer.from('1example.ac.jp') }]);
    expect(cuiFor(op, 'alice@jaist.ac.jp', key)).not.toBe(a);
    expect(cuiFor(request([]), 'alice@jaist.ac.jp', key)).toBeUndefined();
    expect(cuiFor(ask, 'alice@jaist.ac.jp', undefined)).toBeUndefined();
    expect(cuiFor(ask, 'alice@jaist.ac.jp', Buffer.from('another-key-another-key'))).not.toBe(a);
  });

  it('makes a key once (0600), reuses it, prefers the configured one, and refuses a damaged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certgate-cui-'));
    const file = defaultCuiKeyFile({ path: join(dir, 'store.db') }, join(dir, 'certgate.yaml'));
    expect(file).toBe(join(dir, 'store.db.cui-key'));
    expect(defaultCuiKeyFile({}, join(dir, 'certgate.yaml'))).toBe(join(dir, 'certgate-cui.key'));
    const made = loadOrCreateCuiKey(undefined, file);
    expect(made.source).toBe('created');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateCuiKey(undefined, file)).toMatchObject({ source: 'file', key: made.key });
    expect(loadOrCreateCuiKey(key, file)).toMatchObject({ source: 'config', key });
    writeFileSync(file, 'garbage\n');
    expect(() => loadOrCreateCuiKey(undefined, file)).toThrow(/64 hex digits/);
    expect(readFileSync(file, 'utf8')).toBe('garbage\n');
  });
});

describe('F-Ticks', () => {
  const cfg = { visCountry: 'JP', visInst: '1jaist.ac.jp', csi: 'original' as const };
  it('writes the eduroam line in radsecproxy field order', () => {
    expect(formatFticks(cfg, { realm: 'example.ac.jp', operatorName: null, callingStationId: '02-00-00-00-00-01', ok: true }, key)).toBe(
      'F-TICKS/eduroam/1.0#REALM=example.ac.jp#VISCOUNTRY=JP#VISINST=1jaist.ac.jp#CSI=02-00-00-00-00-01#RESULT=OK#',
    );
    expect(formatFticks(cfg, { realm: null, operatorName: '1lab#x.jp', callingStationId: null, ok: false }, key)).toBe(
      'F-TICKS/eduroam/1.0#REALM=#VISCOUNTRY=JP#VISINST=1labx.jp#CSI=undisclosed#RESULT=FAIL#',
    );
  });
  it('hashes the station id unless told otherwise', () => {
    const h = fticksCsi('02-00-00-00-00-01', 'hashed', key);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(fticksCsi('02-00-00-00-00-01', 'vendor-hashed', key)).toMatch(/^02-00-00-[0-9a-f]{55}$/);
    expect(fticksCsi('02-00-00-00-00-01', 'static', key)).toBe('undisclosed');
    expect(fticksCsi('02-00-00-00-00-01', 'hashed', Buffer.from('other'))).not.toBe(h);
  });
});

import { describe, expect, it } from 'vitest';
import { EapCode, EapType, decodeEap, eapFailure, eapSuccess, encodeEap } from '../../src/eap/packet.js';

describe('EAP codec (RFC 3748 4)', () => {
  it('decodes an EAP-Response/Identity vector', () => {
    // 02 = Response, id 07, length 0x0016 (22), type 01 Identity, "alice@jaist.ac" (17 bytes)
    const hex = '0207001601616c696365406a616973742e61632e6a70';
    const d = decodeEap(Buffer.from(hex, 'hex'));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.packet).toMatchObject({ code: EapCode.Response, identifier: 7, type: EapType.Identity });
    expect(d.packet.data.toString()).toBe('alice@jaist.ac.jp');
  });

  it('encodes Success and Failure as 4-byte packets', () => {
    expect(eapSuccess(9).toString('hex')).toBe('03090004');
    expect(eapFailure(255).toString('hex')).toBe('04ff0004');
  });

  it('encodes an EAP-TLS Start request vector', () => {
    expect(encodeEap(EapCode.Request, 2, EapType.Tls, Buffer.from([0x20])).toString('hex')).toBe('010200060d20');
  });

  it('refuses a Length that disagrees with the data, and short packets', () => {
    expect(decodeEap(Buffer.from('020700ff01', 'hex'))).toEqual({ ok: false, reason: 'eap_length_mismatch' });
    expect(decodeEap(Buffer.from('02070006016100', 'hex'))).toEqual({ ok: false, reason: 'eap_length_mismatch' });
    expect(decodeEap(Buffer.from('0207', 'hex'))).toEqual({ ok: false, reason: 'eap_too_short' });
    expect(decodeEap(Buffer.from('02070004', 'hex'))).toEqual({ ok: false, reason: 'eap_too_short' });
    expect(decodeEap(Buffer.from('03070005ff', 'hex'))).toEqual({ ok: false, reason: 'eap_length_mismatch' });
    expect(decodeEap(Buffer.from('09070004', 'hex'))).toEqual({ ok: false, reason: 'eap_bad_code' });
  });

  it('never throws on random input', () => {
    let x = 12345;
    const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x);
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.alloc(rnd() % 40);
      for (let j = 0; j < b.length; j++) b[j] = rnd() & 0xff;
      if (b.length >= 4 && i % 2) b.writeUInt16BE(b.length, 2);
      expect(() => decodeEap(b)).not.toThrow();
    }
  });
});

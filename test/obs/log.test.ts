import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REDACTED, createLogger, redactSecrets } from '../../src/obs/log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: createLogger('info', dest) };
}

describe('log redaction', () => {
  it('replaces secret fields at the top level and one level down, and leaves the rest', () => {
    const { lines, logger } = capture();
    const fields = { secret: 's3cret', client: { name: 'ap1', key: 'k' }, tls: { password: 'p', version: '1.3' }, msk: Buffer.from('x'), user: 'alice' };
    logger.info(fields, 'hello');
    expect(lines[0]).toMatchObject({ secret: REDACTED, client: { name: 'ap1', key: REDACTED }, tls: { password: REDACTED, version: '1.3' }, msk: REDACTED, user: 'alice', msg: 'hello' });
    // The caller's object is untouched.
    expect(fields.secret).toBe('s3cret');
    expect(fields.client.key).toBe('k');
  });

  it('returns the same object when there is nothing to redact (no copy per log line)', () => {
    const o = { event: 'decision', outcome: 'accept', cert: { serial: '01', issuer: 'CN=x' }, list: [{ key: 'k' }] };
    expect(redactSecrets(o)).toBe(o);
  });
});

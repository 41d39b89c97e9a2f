// Which OpenSSL configuration file node was started with: what `serve` checks before warning.
import { describe, expect, it } from 'vitest';
import { opensslConfigFile } from '../../src/cli/serve.js';

describe('opensslConfigFile', () => {
  it('reads --openssl-config=F, --openssl-config F, and OPENSSL_CONF when neither is given', () => {
    expect(opensslConfigFile(['--openssl-config=config/openssl.cnf'], undefined)).toBe('config/openssl.cnf');
    expect(opensslConfigFile(['--expose-gc', '--openssl-config', '/etc/certgate/openssl.cnf'], '/other.cnf')).toBe('/etc/certgate/openssl.cnf');
    expect(opensslConfigFile([], '/from-env.cnf')).toBe('/from-env.cnf');
    expect(opensslConfigFile(['--expose-gc'], undefined)).toBeUndefined();
  });
});

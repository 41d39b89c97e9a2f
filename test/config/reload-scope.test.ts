// What SIGHUP cannot apply is named, never silently dropped.
import { describe, expect, it } from 'vitest';
import { restartOnlyChanges } from '../../src/config/reload-scope.js';
import { baseYaml, configFolder } from '../helpers/config-files.js';

const { load } = configFolder('certgate-reload-scope-');

const text = (secret: string, extra = '') => baseYaml(`    - { name: ap, network: 10.0.0.0/8, secret: ${secret} }`, extra);

describe('reload scope', () => {
  it('reports nothing when only reloadable settings change (secrets, realms, log level)', () => {
    const running = load(text('one'));
    const next = load(text('two', 'log:\n  level: debug\n').replace('[jaist.ac.jp]', '[jaist.ac.jp, example.org]'));
    expect(restartOnlyChanges(running, next)).toEqual([]);
  });

  it('names each restart-only key that changed, and no value', () => {
    const running = load(text('one'));
    const next = load(text('one', 'eap:\n  maxRounds: 40\npacing:\n  enabled: false\n').replace('127.0.0.1:1812', '127.0.0.1:11812').replace('trustAnchors: [ca.pem]', 'trustAnchors: [ca.pem]\n  workers: 1'));
    expect(restartOnlyChanges(running, next)).toEqual(['radius.listen', 'pacing', 'tls.workers', 'eap']);
  });
});

// eapol_test (wpa_supplicant's test supplicant, Debian package eapoltest) as the real peer.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function haveEapolTest(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v eapol_test'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Under CI a missing eapol_test must fail the suite, never skip it (.ci/run installs it); on a
 * developer machine without it the interop tests are skipped with a visible note.
 */
export function requireEapolTest(): boolean {
  const have = haveEapolTest();
  if (!have && process.env.CI === 'true') throw new Error('eapol_test is not installed (apt-get install -y eapoltest): the interop suite must run under CI');
  if (!have) console.warn('eapol_test not installed: interop tests skipped (they never skip under CI=true)');
  return have;
}

export interface EapolOptions {
  port: number;
  secret?: string;
  identity: string;
  caCert: string;
  cert: string;
  key: string;
  /** eapol_test 2.10 offers TLS 1.3 only when asked (tls_disable_tlsv1_3=0): each run says which. */
  tls12?: boolean;
  fragmentSize?: number;
  /** Extra eapol_test arguments, e.g. ['-N89:x:00']. */
  args?: string[];
  dir: string;
  timeoutSeconds?: number;
}

export interface EapolResult {
  success: boolean;
  mppeOk: boolean;
  output: string;
}

let n = 0;
export function eapol(o: EapolOptions): Promise<EapolResult> {
  const conf = join(o.dir, `eapol-${process.pid}-${n++}.conf`);
  writeFileSync(
    conf,
    `network={
    key_mgmt=WPA-EAP
    eap=TLS
    identity="${o.identity}"
    ca_cert="${o.caCert}"
    client_cert="${o.cert}"
    private_key="${o.key}"
    fragment_size=${o.fragmentSize ?? 1024}
    eapol_flags=0
    phase1="tls_disable_tlsv1_3=${o.tls12 ? 1 : 0}"
}
`,
  );
  const args = ['-c', conf, '-a', '127.0.0.1', '-p', String(o.port), '-s', o.secret ?? 'testing123', '-r', '0', '-t', String(o.timeoutSeconds ?? 10), ...(o.args ?? [])];
  return new Promise((resolve) => {
    execFile('eapol_test', args, { maxBuffer: 16 << 20 }, (_err, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      resolve({ success: /^SUCCESS$/m.test(output), mppeOk: /MPPE keys OK: 1 {2}mismatch: 0/.test(output), output });
    });
  });
}

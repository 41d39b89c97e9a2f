// eapol_test (wpa_supplicant's test supplicant, Debian package eapoltest) as the real peer.
import { execFile } from 'node:child_process';
import { requireProgram } from './programs.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** eapol_test must exist: under CI=true its absence fails the suite instead of skipping it. */
export const requireEapolTest = (): boolean => requireProgram('eapol_test', 'eapoltest');

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
  // Each login is its own device (Calling-Station-Id) unless the test passes -M: the failed-login
  // pacing per station (docs/hardening.md) must not couple unrelated tests' rejects.
  const mac = `02:00:00:${[(process.pid >> 8) & 255, process.pid & 255, n & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
  const args = ['-c', conf, '-a', '127.0.0.1', '-p', String(o.port), '-s', o.secret ?? 'testing123', '-r', '0', '-t', String(o.timeoutSeconds ?? 10), '-M', mac, ...(o.args ?? [])];
  return new Promise((resolve) => {
    execFile('eapol_test', args, { maxBuffer: 16 << 20 }, (_err, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      resolve({ success: /^SUCCESS$/m.test(output), mppeOk: /MPPE keys OK: 1 {2}mismatch: 0/.test(output), output });
    });
  });
}

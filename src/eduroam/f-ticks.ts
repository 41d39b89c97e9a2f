// F-Ticks (eduroam federation login statistics): one line per finished login,
//   F-TICKS/eduroam/1.0#REALM=<realm>#VISCOUNTRY=<CC>#VISINST=<inst>#CSI=<station>#RESULT=OK|FAIL#
// the field order radsecproxy writes. REALM is the realm of the outer identity, VISCOUNTRY our
// country, VISINST the visited institution (the NAS's Operator-Name, else the configured one), CSI
// the Calling-Station-Id, by default hashed with a key so the federation never sees a MAC address.
import { createHmac } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import type { Logger } from '../obs/log.js';

export type CsiMode = 'hashed' | 'vendor-hashed' | 'original' | 'static';

export interface FticksConfig {
  enabled: boolean;
  /** ISO 3166 alpha-2, e.g. "JP". */
  visCountry: string;
  /** Used when the NAS sends no Operator-Name, e.g. "1jaist.ac.jp". */
  visInst: string;
  csi: CsiMode;
  /** Append lines here (syslog-like: time, "certgate:", the record); else the log with event "fticks". */
  file: string | undefined;
}

export interface FticksLogin {
  realm: string | null;
  operatorName: string | null;
  callingStationId: string | null;
  ok: boolean;
}

// '#' separates fields; control characters would split or forge lines.
const clean = (s: string) => s.replace(/[#\u0000-\u001f\u007f]/g, '');

/** The Calling-Station-Id as the federation may see it. */
export function fticksCsi(callingStationId: string | null, mode: CsiMode, key: Buffer): string {
  if (mode === 'static' || callingStationId === null || callingStationId === '') return 'undisclosed';
  if (mode === 'original') return clean(callingStationId);
  const hash = createHmac('sha256', key).update(callingStationId, 'utf8').digest('hex');
  // vendor-hashed keeps the first three octets ("AA-BB-CC-", the vendor's OUI) readable.
  return mode === 'vendor-hashed' ? `${clean(callingStationId.slice(0, 9))}${hash.slice(0, 64 - 9)}` : hash;
}

export function formatFticks(c: Pick<FticksConfig, 'visCountry' | 'visInst' | 'csi'>, login: FticksLogin, key: Buffer): string {
  const visinst = clean(login.operatorName ?? c.visInst);
  return `F-TICKS/eduroam/1.0#REALM=${clean(login.realm ?? '')}#VISCOUNTRY=${c.visCountry}#VISINST=${visinst}#CSI=${fticksCsi(login.callingStationId, c.csi, key)}#RESULT=${login.ok ? 'OK' : 'FAIL'}#`;
}

/** Writes F-Ticks lines (when enabled) to their file, or to the log. Failures are logged, never thrown. */
export class FticksSink {
  private file: Promise<FileHandle> | undefined;

  constructor(
    private readonly config: FticksConfig,
    private readonly key: Buffer,
    private readonly log: Logger,
  ) {
    if (config.enabled && config.file) {
      this.file = open(config.file, 'a', 0o640);
      this.file.catch((err: unknown) => log.error({ err, file: config.file }, 'F-Ticks file cannot be opened'));
    }
  }

  login(l: FticksLogin, now: Date): void {
    if (!this.config.enabled) return;
    const line = formatFticks(this.config, l, this.key);
    if (!this.file) {
      this.log.info({ event: 'fticks', fticks: line }, line);
      return;
    }
    this.file
      .then((f) => f.appendFile(`${now.toISOString()} certgate: ${line}\n`))
      .catch((err: unknown) => this.log.error({ err, file: this.config.file }, 'F-Ticks line not written'));
  }

  async close(): Promise<void> {
    const f = this.file;
    this.file = undefined;
    if (f) await (await f.catch(() => undefined))?.close();
  }
}

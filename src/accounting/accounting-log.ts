// Where accounting records go: one JSON object per line in `accounting.log` when configured (a file
// of its own, for retention and the federation's six months), else the main log with event
// "accounting". Answering the NAS waits for the write (RFC 2866 2: no response unless recorded).
import { type FileHandle, open } from 'node:fs/promises';
import type { Logger } from '../obs/log.js';
import type { AccountingRecord } from './accounting-record.js';

export interface AccountingSink {
  write(record: AccountingRecord): Promise<void>;
  /** Reopens the file (after log rotation moved it). */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export function accountingSink(file: string | undefined, log: Logger): AccountingSink {
  if (file === undefined) {
    return {
      async write(r) {
        log.info({ event: 'accounting', ...r }, `accounting ${r.statusType ?? '?'}`);
      },
      async reopen() {},
      async close() {},
    };
  }
  return new JsonLinesFile(file);
}

class JsonLinesFile implements AccountingSink {
  private handle: Promise<FileHandle> | undefined;

  constructor(private readonly path: string) {}

  private opened(): Promise<FileHandle> {
    if (!this.handle) {
      const h = open(this.path, 'a', 0o640);
      // A failed open is retried on the next record.
      h.catch(() => {
        if (this.handle === h) this.handle = undefined;
      });
      this.handle = h;
    }
    return this.handle;
  }

  async write(r: AccountingRecord): Promise<void> {
    const f = await this.opened();
    await f.write(`${JSON.stringify({ event: 'accounting', ...r })}\n`);
  }

  async reopen(): Promise<void> {
    const old = this.handle;
    this.handle = undefined;
    await (await old?.catch(() => undefined))?.close();
  }

  async close(): Promise<void> {
    await this.reopen();
  }
}

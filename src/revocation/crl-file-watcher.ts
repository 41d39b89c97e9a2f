// Watches one CRL file and hands its bytes over whenever it changes: written in place or renamed
// over (the usual atomic publish), noticed by fs.watch on the folder at once and by a stat poll
// (every second) where fs.watch says nothing (network filesystems, some containers). Whether the
// bytes become the CRL in force is CrlSet's decision: a half-written file fails to parse and the
// old CRL stays; the finished file changes the stat again and is read again.
import { type FSWatcher, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export interface FileWatcherOptions {
  pollMs?: number;
  /** Quiet time after a change event before reading (writers often write in several steps). */
  settleMs?: number;
}

export type FileDelivery = { ok: true; bytes: Buffer } | { ok: false; why: string };

export class CrlFileWatcher {
  private lastSig: string | undefined;
  private poll: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    readonly file: string,
    private readonly deliver: (d: FileDelivery) => void,
    private readonly opts: FileWatcherOptions = {},
  ) {}

  /** Reads the file now (start-up, `certgate check`); resolves after delivery. */
  async loadNow(): Promise<void> {
    await this.check(true);
  }

  start(): void {
    this.stopped = false;
    this.poll = setInterval(() => void this.check(false), this.opts.pollMs ?? 1000);
    this.poll.unref();
    try {
      const name = basename(this.file);
      this.watcher = watch(dirname(this.file), { persistent: false }, (_event, filename) => {
        if (filename !== null && filename.toString() !== name) return;
        clearTimeout(this.settle);
        this.settle = setTimeout(() => void this.check(false), this.opts.settleMs ?? 150);
        this.settle.unref();
      });
      this.watcher.on('error', () => {
        // The folder went away or cannot be watched: the poll still runs.
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // fs.watch unsupported here: the poll alone keeps the 5-second promise.
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.settle);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async check(force: boolean): Promise<void> {
    if (this.reading) {
      // A change while reading: look once more when this read is done.
      this.again = true;
      return this.reading;
    }
    this.reading = this.read(force).finally(() => {
      this.reading = undefined;
    });
    await this.reading;
    if (this.again && !this.stopped) {
      this.again = false;
      await this.check(false);
    }
  }

  private async read(force: boolean): Promise<void> {
    let sig: string;
    try {
      const s = await stat(this.file);
      sig = `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    } catch (e) {
      const why = `cannot read ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      if (force || this.lastSig !== 'missing') this.deliver({ ok: false, why });
      this.lastSig = 'missing';
      return;
    }
    if (!force && sig === this.lastSig) return;
    // Recorded before reading: a write racing with the read changes the stat and is read next time.
    this.lastSig = sig;
    try {
      this.deliver({ ok: true, bytes: await readFile(this.file) });
    } catch (e) {
      this.deliver({ ok: false, why: `cannot read ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    }
  }
}

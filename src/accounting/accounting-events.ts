// A small typed hook: whoever needs accounting records as they arrive (a later "live sessions"
// feature) subscribes here. Listeners run synchronously after the record is written; one that
// throws is reported and does not stop the others or the answer to the NAS.
import type { AccountingRecord } from './accounting-record.js';

export type AccountingListener = (record: AccountingRecord) => void;

export class AccountingEvents {
  private readonly listeners = new Set<AccountingListener>();

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  /** Returns the unsubscribe function. */
  subscribe(listener: AccountingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  emit(record: AccountingRecord): void {
    for (const l of this.listeners) {
      try {
        l(record);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}

import { toSyncError, type SyncError } from '../model/errors.js';
import { toStored, type OutboxEntry } from './outboxEntry.js';
import type { OutboxListener } from './outboxOptions.js';
import type { createOutboxQueue } from './outboxQueue.js';
import type { OutboxStorage } from '../platform/storage.js';

/** A storage call that throws at once is treated like one that rejects. */
export const safely = <T>(call: () => Promise<T>) => new Promise<T>((resolve) => resolve(call()));

/**
 * The outbox's writes to storage, and what it does when storage refuses (docs/outbox.md): the
 * writes stay in memory and are still sent, each says so in its `lastError` while it waits, and
 * the listener hears of it until a write is stored again; then the ones kept in memory are stored.
 */
export function createOutboxPersistence(ctx: {
  storage: OutboxStorage;
  namespace: string;
  queue: ReturnType<typeof createOutboxQueue>;
  listener: Pick<OutboxListener, 'changed' | 'storageChanged'>;
}): OutboxPersistence {
  const { storage, namespace, queue, listener } = ctx;
  /** The storage's last failure, until a write is stored again. */
  let failure: SyncError | null = null;

  const report = (error: unknown): SyncError => {
    failure = toSyncError(
      error,
      'storage',
      'Writes could not be stored: they are kept in memory and still sent, but closing the page now would lose them',
    );
    listener.storageChanged(failure);
    return failure;
  };

  const persist = (entries: OutboxEntry[]): Promise<void> =>
    safely(() => storage.putWrites(namespace, entries.map(toStored))).then(
      () => stored(entries),
      (error: unknown) => {
        const reported = report(error);
        for (const e of entries) {
          if (queue.get(e.write.id) !== e) continue;
          e.unstored = true;
          if (e.write.state !== 'failed') queue.update(e, { lastError: reported });
        }
        listener.changed();
      },
    );

  function stored(entries: OutboxEntry[]) {
    let changed = false;
    for (const e of entries) {
      if (!e.unstored) continue;
      e.unstored = false;
      if (e.write.lastError?.kind !== 'storage' || queue.get(e.write.id) !== e) continue;
      queue.update(e, { lastError: null });
      changed = true;
    }
    if (changed) listener.changed();
    if (!failure) return;
    failure = null;
    listener.storageChanged(null);
    const rest = queue.entries().filter((e) => e.unstored);
    if (rest.length > 0) void persist(rest);
  }

  return {
    persist,
    report,
    failure: () => failure,
    deleteWrites: (ids: string[]) => safely(() => storage.deleteWrites(namespace, ids)).catch(report),
  };
}

export interface OutboxPersistence {
  /** Stores these entries; on failure they stay in memory and say so (never rejects). */
  persist(entries: OutboxEntry[]): Promise<void>;
  /** Storage refused: reported to the listener, and returned as the SyncError it is. */
  report(error: unknown): SyncError;
  /** The storage's last failure, until a write is stored again. */
  failure(): SyncError | null;
  deleteWrites(ids: string[]): Promise<unknown>;
}

import type { PendingWrite } from '../model/types.js';
import type { LocalCopy, RestoredThread } from './localCopy.js';
import type { ThreadBook } from './threadBook.js';

/** The thread book as the client uses it with a local copy (docs/local-copy.md). */
export interface CopiedBook extends ThreadBook {
  /**
   * Whether this page load heard from the server for this thread (without an id: for any). A
   * thread shown from the copy has a `lastSyncedAt` but is not `synced` until then.
   */
  heard(threadId?: string): boolean;
  /** Puts the copy's threads in the book (older than what it holds: ignored) under the pending writes. */
  restore(threads: RestoredThread[], pendingOf: (threadId: string) => readonly PendingWrite[]): void;
}

/**
 * The book, told what the copy needs: every id it touched goes to the copy (which writes those
 * whose confirmed thread changed, whatever method changed it), and every sync is remembered as
 * heard. Without a copy (`cache: false`) everything counts as heard, as before.
 */
export function withLocalCopy(book: ThreadBook, copy: LocalCopy | undefined): CopiedBook {
  if (!copy) return { ...book, heard: () => true, restore: () => {} };
  const heard = new Set<string>();
  return {
    ...book,
    takeChanged() {
      const ids = book.takeChanged();
      copy.touched(ids);
      return ids;
    },
    markSynced(threadId, at) {
      heard.add(threadId);
      book.markSynced(threadId, at);
    },
    heard: (threadId?: string) => (threadId === undefined ? heard.size > 0 : heard.has(threadId)),
    restore(threads, pendingOf) {
      for (const { thread, lastSyncedAt } of threads) {
        if (!book.receive(thread)) continue;
        if (lastSyncedAt !== null && book.lastSyncedAt(thread.id) === null) book.markSynced(thread.id, lastSyncedAt);
        book.recompute(thread.id, pendingOf(thread.id));
      }
    },
  };
}

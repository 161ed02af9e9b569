import type { NewEvent } from './semantics/transaction.js';
import type { EventsRead, StoredEvent } from './types.js';

/*
 * The memory store's event log: the entries of src/server/types.ts (StoredEvent), cursors a
 * growing integer as a string. A `patch` entry holds its ops (they share the thread's objects); a
 * `thread` entry names the version only: the thread is read when the event is sent (streams
 * coalesce to the latest one anyway), because holding every version of a long thread would hold
 * a copy of its messages array per version.
 */

export interface EventLog {
  /** The cursor of the newest entry ("0" while empty). */
  head(): string;
  append(entry: NewEvent): StoredEvent;
  /**
   * Entries after `cursor`, at most `limit`. `null` means "from now": nothing to replay. A
   * cursor older than the oldest kept entry, newer than the head (another server's) or not an
   * integer gives `reset`.
   */
  since(cursor: string | null, limit?: number): EventsRead;
  subscribe(listener: (entry: StoredEvent) => void): () => void;
  size(): number;
  /**
   * The kept entries of one thread with a version above `v`, oldest first (a protocol v2 pull's
   * ops since the version a client holds); they may start after v + 1 when older ones were dropped.
   */
  threadSince(threadId: string, v: number): StoredEvent[];
}

/** @param limit entries kept; older ones are dropped and their cursors answer `reset`. */
export function createEventLog(limit: number): EventLog {
  let entries: StoredEvent[] = [];
  let start = 0; // index of the oldest kept entry
  let dropped = 0; // entries 1..dropped are gone
  let last = 0;
  const listeners = new Set<(entry: StoredEvent) => void>();
  /** The kept entries of each thread, in cursor order: an entry leaves its list when the log drops it. */
  const byThread = new Map<string, StoredEvent[]>();

  return {
    head: () => String(last),
    append(fields) {
      last++;
      const entry = { ...fields, cursor: String(last) } as StoredEvent;
      entries.push(entry);
      const own = byThread.get(entry.threadId);
      if (own) own.push(entry);
      else byThread.set(entry.threadId, [entry]);
      if (entries.length - start > limit) {
        const gone = entries[start]!;
        const list = byThread.get(gone.threadId)!;
        list.shift();
        if (list.length === 0) byThread.delete(gone.threadId);
        start++;
        dropped++;
        // Shift the array only now and then, so appending stays O(1) amortised.
        if (start > 1024 && start * 2 > entries.length) {
          entries = entries.slice(start);
          start = 0;
        }
      }
      for (const listener of [...listeners]) listener(entry);
      return entry;
    },
    since(cursor, max = Infinity) {
      const head = String(last);
      if (cursor === null) return { reset: false, head, events: [] };
      if (!/^\d{1,15}$/.test(cursor)) return { reset: true, head };
      const n = Number(cursor);
      if (n > last || n < dropped) return { reset: true, head };
      const from = start + (n - dropped);
      const count = Math.max(0, Math.min(max, entries.length - from));
      return { reset: false, head, events: entries.slice(from, from + count) };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    size: () => entries.length - start,
    threadSince(threadId, v) {
      const list = byThread.get(threadId) ?? [];
      // Versions grow along the list: search for the first above v from the end (pulls ask for recent ones).
      let i = list.length;
      while (i > 0 && list[i - 1]!.v > v) i--;
      return list.slice(i);
    },
  };
}

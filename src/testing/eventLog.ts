/**
 * One applied mutation, as the event stream sees it. `id` is the cursor: a growing integer, as a
 * string. A `thread` entry names the version only: the snapshot is the backend's, read when the
 * event is sent (streams coalesce to the latest one anyway), because holding every version of a
 * long thread would hold a copy of its messages array per version.
 */
export type LogEntry =
  | { id: string; type: 'thread'; threadId: string; v: number }
  | { id: string; type: 'delta'; threadId: string; messageId: string; v: number; text: string };

export type NewLogEntry =
  | { type: 'thread'; threadId: string; v: number }
  | { type: 'delta'; threadId: string; messageId: string; v: number; text: string };

/** The entries after a cursor, or `reset` when the log cannot say what came after it. */
export type LogRead =
  | { reset: false; head: string; entries: LogEntry[] }
  | { reset: true; head: string };

export interface EventLog {
  /** The cursor of the newest entry ("0" while empty). */
  head(): string;
  append(entry: NewLogEntry): LogEntry;
  /**
   * `null` means "from now": nothing to replay. A cursor older than the oldest kept entry, newer
   * than the head (another server's) or not an integer gives `reset`.
   */
  since(cursor: string | null): LogRead;
  subscribe(listener: (entry: LogEntry) => void): () => void;
  size(): number;
}

/** @param limit entries kept; older ones are dropped and their cursors answer `reset`. */
export function createEventLog(limit: number): EventLog {
  let entries: LogEntry[] = [];
  let start = 0; // index of the oldest kept entry
  let dropped = 0; // entries 1..dropped are gone
  let last = 0;
  const listeners = new Set<(entry: LogEntry) => void>();

  return {
    head: () => String(last),
    append(fields) {
      last++;
      const entry = { ...fields, id: String(last) } as LogEntry;
      entries.push(entry);
      if (entries.length - start > limit) {
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
    since(cursor) {
      const head = String(last);
      if (cursor === null) return { reset: false, head, entries: [] };
      if (!/^\d{1,15}$/.test(cursor)) return { reset: true, head };
      const n = Number(cursor);
      if (n > last || n < dropped) return { reset: true, head };
      return { reset: false, head, entries: entries.slice(start + (n - dropped)) };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    size: () => entries.length - start,
  };
}

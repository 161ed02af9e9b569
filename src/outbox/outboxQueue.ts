import type { OutboxEntry } from './outboxEntry.js';
import type { PendingWrite } from '../model/types.js';

/**
 * The outbox's entries in order, with an index by write id, the count of queued writes (the
 * batching decision reads it on every mutate) and the public list, rebuilt only after a change.
 */
export interface OutboxQueue {
  entries(): readonly OutboxEntry[];
  get(writeId: string): OutboxEntry | undefined;
  queuedCount(): number;
  /** How many `list()` holds, without building it (the metrics read it on every change). */
  size(): number;
  /** The public snapshots, in order; the same array until something changes. */
  list(): PendingWrite[];
  add(entry: OutboxEntry): void;
  /** Replaces an entry's public snapshot (never mutated in place: it was handed out). */
  update(entry: OutboxEntry, patch: Partial<PendingWrite>): void;
  /** Removes many in one pass. */
  remove(ids: ReadonlySet<string>): void;
  /** Takes every entry out (the stored ones go in front of them on load). */
  takeAll(): OutboxEntry[];
}

export function createOutboxQueue(): OutboxQueue {
  const entries: OutboxEntry[] = [];
  const byId = new Map<string, OutboxEntry>();
  let queued = 0;
  /** Entries of this tab (not `foreign`): `list()`'s length. */
  let own = 0;
  let list: PendingWrite[] | null = [];

  const count = (entry: OutboxEntry, sign: 1 | -1) => {
    if (entry.write.state === 'queued') queued += sign;
    list = null;
  };

  return {
    entries: (): readonly OutboxEntry[] => entries,
    get: (writeId: string) => byId.get(writeId),
    queuedCount: () => queued,
    size: () => own,
    /** This tab's public snapshots, in order; the same array until something changes. */
    list: (): PendingWrite[] => (list ??= entries.filter((e) => !e.foreign).map((e) => e.write)),

    add(entry: OutboxEntry) {
      entries.push(entry);
      byId.set(entry.write.id, entry);
      if (!entry.foreign) own++;
      count(entry, 1);
    },

    /** Replaces an entry's public snapshot (never mutated in place: it was handed out). */
    update(entry: OutboxEntry, patch: Partial<PendingWrite>) {
      count(entry, -1);
      entry.write = { ...entry.write, ...patch };
      count(entry, 1);
    },

    /** Removes many in one pass: a batch of 500 acks must not cost 500 splices. */
    remove(ids: ReadonlySet<string>) {
      let kept = 0;
      for (const entry of entries) {
        if (ids.has(entry.write.id)) {
          byId.delete(entry.write.id);
          if (!entry.foreign) own--;
          count(entry, -1);
        } else entries[kept++] = entry;
      }
      entries.length = kept;
    },

    /** Takes every entry out (the stored ones go in front of them on load). */
    takeAll(): OutboxEntry[] {
      byId.clear();
      queued = 0;
      own = 0;
      list = null;
      return entries.splice(0);
    },
  };
}

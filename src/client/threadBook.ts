import { deepEqual } from '../model/deepEqual.js';
import { rebase, type WriteLike } from '../model/rebase.js';
import type { Message, Mutator, PendingWrite, Thread } from '../model/types.js';

interface Acked {
  write: PendingWrite;
  /** The version the server gave it; undefined when the server did not say. */
  v: number | undefined;
  /** When it was acknowledged, on the book's ack counter (see `settle`). */
  at: number;
}

interface Entry {
  confirmed?: Thread;
  /** Acknowledged writes the confirmed thread does not show yet: kept in the view meanwhile. */
  acked: Acked[];
  view?: Thread;
  lastSyncedAt: number | null;
}

/**
 * Every field counts, the app's own too (a tool call's result, a moderation flag): a message the
 * server changed anywhere is the new object. Most messages of a long thread arrive unchanged, so
 * the structural compare is short-circuited per field by reference.
 */
const sameMessage = (a: Message, b: Message) => a === b || deepEqual(a, b);

/**
 * A new server version with the previous version's objects wherever a message did not change:
 * components memoised on a message re-render only when it did.
 */
function shareUnchanged(prev: Thread, next: Thread): Thread {
  const before = new Map(prev.messages.map((m) => [m.id, m]));
  let reused = false;
  const messages = next.messages.map((m) => {
    const old = before.get(m.id);
    if (!old || !sameMessage(old, m)) return m;
    reused = true;
    return old;
  });
  return reused ? { ...next, messages } : next;
}

/**
 * Per thread: what the server confirmed, the acknowledged writes it has not shown yet, and the
 * optimistic view. Writes leave the view only when the confirmed thread includes them, so an
 * acknowledged message never blinks out while its confirmation travels.
 */
export interface ThreadBook {
  has(threadId: string): boolean;
  ids(): IterableIterator<string>;
  view(threadId: string): Thread | undefined;
  confirmed(threadId: string): Thread | undefined;
  /** One thread's, or without an id the latest of any thread's. */
  lastSyncedAt(threadId?: string): number | null;
  hasAcked(threadId: string): boolean;
  /** Whether writes acknowledged before `mark` still wait for a confirmed thread showing them. */
  waitsSince(threadId: string, mark: number): boolean;
  /** The ids changed since the last call (the store's commit reads only those). */
  takeChanged(): Set<string>;
  /** The ack counter now: a pull started at this mark sees every write acknowledged before. */
  mark(): number;
  /** A pull started at `mark` answered for this thread; returns whether writes left the view. */
  settle(threadId: string, mark: number): boolean;
  /** Recomputes the view from scratch; `pending` is the thread's writes, failed ones included. */
  recompute(threadId: string, pending: readonly PendingWrite[]): void;
  /** The view after a new local write, computed by the caller on top of the current view. */
  setView(threadId: string, view: Thread): void;
  /** A thread from the server, applied only when newer; returns whether it was applied. */
  receive(thread: Thread): boolean;
  /** Replaces the confirmed thread without the version check (deltas applied locally). */
  setConfirmed(thread: Thread): void;
  /** Returns true when the view must be recomputed (the confirmed thread already has it). */
  acknowledge(write: PendingWrite, v: number | undefined): boolean;
  markSynced(threadId: string, at: number): void;
}

export function createThreadBook(mutators: Record<string, Mutator>): ThreadBook {
  const entries = new Map<string, Entry>();
  /** When any thread last synced: the whole client's `lastSyncedAt`. */
  let lastSyncedAt: number | null = null;
  /** Threads whose view, confirmed thread or sync time changed since the store last looked. */
  let changed = new Set<string>();
  let acks = 0;

  /** The entry of a thread about to change. */
  const entry = (threadId: string): Entry => {
    changed.add(threadId);
    let e = entries.get(threadId);
    if (!e) entries.set(threadId, (e = { acked: [], lastSyncedAt: null }));
    return e;
  };

  /** Adopts a confirmed thread: acknowledged writes it already shows leave the view. */
  const confirm = (e: Entry, thread: Thread) => {
    e.confirmed = thread;
    e.acked = e.acked.filter((a) => a.v !== undefined && a.v > thread.v);
  };

  return {
    has: (threadId: string) => entries.has(threadId),
    ids: () => entries.keys(),
    view: (threadId: string) => entries.get(threadId)?.view,
    confirmed: (threadId: string) => entries.get(threadId)?.confirmed,
    /** One thread's, or without an id the latest of any thread's. */
    lastSyncedAt: (threadId?: string) =>
      threadId === undefined ? lastSyncedAt : (entries.get(threadId)?.lastSyncedAt ?? null),
    hasAcked: (threadId: string) => (entries.get(threadId)?.acked.length ?? 0) > 0,
    /**
     * Writes acknowledged before `mark` still wait for a confirmed thread that shows them. For
     * a moment that is normal (the ack came before the stream's event); for long, the ack named
     * a version the server never sent, and only a pull can tell (`settle`).
     */
    waitsSince: (threadId: string, mark: number) => entries.get(threadId)?.acked.some((a) => a.at < mark) ?? false,
    /** The ids changed since the last call (the store's commit reads only those). */
    takeChanged(): Set<string> {
      const ids = changed;
      changed = new Set();
      return ids;
    },
    /** The ack counter now: a pull started at this mark sees every write acknowledged before. */
    mark: () => acks,

    /**
     * A pull that started at `mark` answered for this thread: the server's copy it describes
     * (sent, or the one we hold when it sent none) includes every write acknowledged before,
     * whatever version their acks named. Returns whether any left the view (recompute it).
     */
    settle(threadId: string, mark: number): boolean {
      const e = entries.get(threadId);
      const kept = e?.acked.filter((a) => a.at >= mark) ?? [];
      if (!e || kept.length === e.acked.length) return false;
      entry(threadId).acked = kept;
      return true;
    },

    /** Recomputes the view from scratch; `pending` is the thread's writes, failed ones included. */
    recompute(threadId: string, pending: readonly PendingWrite[]) {
      const e = entry(threadId);
      const writes: WriteLike[] = e.acked.map((a) => a.write);
      for (const w of pending) if (w.state !== 'failed') writes.push(w);
      e.view = rebase(threadId, e.confirmed, writes, mutators);
    },

    /** The view after a new local write, computed by the caller on top of the current view. */
    setView(threadId: string, view: Thread) {
      entry(threadId).view = view;
    },

    /**
     * A thread from the server. Applied only when newer than what we have (versions decide:
     * duplicated and reordered events are harmless). Returns whether it was applied.
     */
    receive(thread: Thread): boolean {
      const e = entry(thread.id);
      if (e.confirmed && thread.v <= e.confirmed.v) return false;
      confirm(e, e.confirmed ? shareUnchanged(e.confirmed, thread) : thread);
      return true;
    },

    /** Replaces the confirmed thread without the version check (deltas applied locally). */
    setConfirmed: (thread: Thread) => confirm(entry(thread.id), thread),

    /** Returns true when the view must be recomputed (the confirmed thread already has it). */
    acknowledge(write: PendingWrite, v: number | undefined): boolean {
      const e = entry(write.threadId);
      // A version that is not a whole number tells nothing: the next confirmed thread settles it.
      const known = Number.isSafeInteger(v) && v! >= 0 ? v : undefined;
      if (known !== undefined && e.confirmed && known <= e.confirmed.v) return true;
      e.acked.push({ write, v: known, at: acks++ });
      return false;
    },

    markSynced(threadId: string, at: number) {
      entry(threadId).lastSyncedAt = at;
      lastSyncedAt = at;
    },
  };
}

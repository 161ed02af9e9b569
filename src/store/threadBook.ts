import { deepEqual } from '../core/deepEqual.js';
import { rebase, type WriteLike } from '../core/rebase.js';
import type { Message, Mutator, PendingWrite, Thread } from '../core/types.js';

interface Acked {
  write: PendingWrite;
  /** The version the server gave it; undefined when the server did not say. */
  v: number | undefined;
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
export function createThreadBook(mutators: Record<string, Mutator>) {
  const entries = new Map<string, Entry>();
  /** When any thread last synced: the whole client's `lastSyncedAt`. */
  let lastSyncedAt: number | null = null;

  const entry = (threadId: string): Entry => {
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
      if (v !== undefined && e.confirmed && v <= e.confirmed.v) return true;
      e.acked.push({ write, v });
      return false;
    },

    markSynced(threadId: string, at: number) {
      entry(threadId).lastSyncedAt = at;
      lastSyncedAt = at;
    },
  };
}

export type ThreadBook = ReturnType<typeof createThreadBook>;

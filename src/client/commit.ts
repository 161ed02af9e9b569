import type { HealthStatus, PendingWrite } from '../model/types.js';
import { deriveStatus } from './deriveStatus.js';
import { groupPending, NO_WRITES } from './groupPending.js';
import { recordWriter } from './idRecord.js';
import type { ThreadBook } from './threadBook.js';
import type { UntypedState, UntypedStore } from './types.js';

export interface CommitSources {
  store: UntypedStore;
  book: ThreadBook;
  pending(): PendingWrite[];
  /** A push or pull for this thread, or without an id for any thread, is under way. */
  inFlight(threadId?: string): boolean;
  /** The threads a push or pull is under way for. */
  inFlightIds(): Iterable<string>;
  online(): boolean;
  health(): HealthStatus;
  /** Whether this page load heard from the server for the thread (docs/local-copy.md). */
  heard?(threadId?: string): boolean;
}

/** `prev` when `next` holds the same values, so subscribers keep the object they have. */
function reuse<T extends object>(prev: T | undefined, next: T): T {
  if (!prev) return next;
  for (const key in next) if (next[key] !== prev[key]) return next;
  return prev;
}

/** `reuse` for lists of writes (indexed: a queue can hold 10 000). */
function reuseList(prev: PendingWrite[] | undefined, next: PendingWrite[]): PendingWrite[] {
  if (!prev || prev.length !== next.length) return next;
  for (let i = 0; i < next.length; i++) if (next[i] !== prev[i]) return next;
  return prev;
}


export interface StoreCommitter {
  /** Publishes at the end of the current task: a burst of changes is one notification. */
  schedule(): void;
  /** Publishes now if anything is waiting (readers call it so they never see a stale state). */
  flush(): void;
}

/**
 * Publishes the client's state to the store. Every slice keeps its identity when unchanged, so
 * a component reading thread A is not woken when thread B changes (README, "Bench"), and a commit that
 * changes nothing notifies nobody.
 */
export function createStoreCommitter(sources: CommitSources): StoreCommitter {
  const { store, book } = sources;
  let scheduled = false;
  /** What the last commit saw: a thread's status changes only when one of these does. */
  let seenPending: PendingWrite[] | null = null;
  let seenOnline: boolean | null = null;
  let seenInFlight = new Set<string>();
  const committer: StoreCommitter = {
    schedule() {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(committer.flush);
    },
    flush() {
      if (!scheduled) return;
      scheduled = false;
      commit();
    },
  };
  return committer;

  function commit() {
    const prev = store.getState();
    const pending = sources.pending();
    const groups = groupPending(pending);
    const online = sources.online();
    const threads = recordWriter(prev.threads);
    const byThread = recordWriter(prev.pendingByThread);
    const status = recordWriter(prev.status);
    // Only threads that may have changed (docs/design-changes.md): the book says which it
    // touched; writes and connectivity touch the threads with writes; a push or pull the
    // threads it is, or was, for. A commit costs the same with 1 thread or 3 000.
    const ids = book.takeChanged();
    if (pending !== seenPending || online !== seenOnline) {
      for (const id of groups.keys()) ids.add(id);
      for (const id in prev.pendingByThread) ids.add(id);
    }
    const inFlight = new Set(sources.inFlightIds());
    for (const id of seenInFlight) ids.add(id);
    for (const id of inFlight) ids.add(id);
    seenPending = pending;
    seenOnline = online;
    seenInFlight = inFlight;
    for (const id of ids) {
      threads.set(id, book.view(id));
      const group = groups.get(id) ?? NO_WRITES;
      byThread.set(id, group.length === 0 ? undefined : reuseList(prev.pendingByThread[id], group));
      const next = deriveStatus({ writes: group, inFlight: sources.inFlight(id), online, lastSyncedAt: book.lastSyncedAt(id), heard: sources.heard?.(id) });
      status.set(id, reuse(prev.status[id], next));
    }
    const clientNext = deriveStatus({
      writes: pending,
      inFlight: sources.inFlight(),
      online,
      lastSyncedAt: book.lastSyncedAt(),
      heard: sources.heard?.(),
    });
    const next: UntypedState = {
      threads: threads.get(),
      pending: reuseList(prev.pending, pending),
      pendingByThread: byThread.get(),
      status: status.get(),
      clientStatus: reuse(prev.clientStatus, clientNext),
      health: sources.health(),
    };
    if (reuse(prev, next) !== prev) store.setState(next, true);
  }
}

import type { HealthStatus, PendingWrite } from '../core/types.js';
import { deriveStatus } from './deriveStatus.js';
import { groupPending, NO_WRITES } from './groupPending.js';
import type { ThreadBook } from './threadBook.js';
import type { UntypedState, UntypedStore } from './types.js';

export interface CommitSources {
  store: UntypedStore;
  book: ThreadBook;
  pending(): PendingWrite[];
  /** A push or pull for this thread, or without an id for any thread, is under way. */
  inFlight(threadId?: string): boolean;
  online(): boolean;
  health(): HealthStatus;
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

/** Copy-on-write for one record slice: copied once per commit, and only if something changed. */
function slice<T>(prev: Record<string, T>) {
  let next = prev;
  return {
    set(id: string, value: T | undefined) {
      if (next[id] === value) return;
      if (next === prev) next = { ...prev };
      if (value === undefined) delete next[id];
      else next[id] = value;
    },
    get: () => next,
  };
}

export interface StoreCommitter {
  /** Publishes at the end of the current task: a burst of changes is one notification. */
  schedule(): void;
  /** Publishes now if anything is waiting (readers call it so they never see a stale state). */
  flush(): void;
}

/**
 * Publishes the client's state to the store. Every slice keeps its identity when unchanged, so
 * a component reading thread A is not woken when thread B changes (DESIGN §6), and a commit that
 * changes nothing notifies nobody.
 */
export function createStoreCommitter(sources: CommitSources): StoreCommitter {
  const { store, book } = sources;
  let scheduled = false;
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
    const threads = slice(prev.threads);
    const confirmed = slice(prev.confirmed);
    const byThread = slice(prev.pendingByThread);
    const status = slice(prev.status);
    const ids = new Set([...book.ids(), ...groups.keys(), ...Object.keys(prev.pendingByThread)]);
    for (const id of ids) {
      threads.set(id, book.view(id));
      confirmed.set(id, book.confirmed(id));
      const group = groups.get(id) ?? NO_WRITES;
      byThread.set(id, group.length === 0 ? undefined : reuseList(prev.pendingByThread[id], group));
      const next = deriveStatus({ writes: group, inFlight: sources.inFlight(id), online, lastSyncedAt: book.lastSyncedAt(id) });
      status.set(id, reuse(prev.status[id], next));
    }
    const clientNext = deriveStatus({
      writes: pending,
      inFlight: sources.inFlight(),
      online,
      lastSyncedAt: book.lastSyncedAt(),
    });
    const next: UntypedState = {
      threads: threads.get(),
      confirmed: confirmed.get(),
      pending: reuseList(prev.pending, pending),
      pendingByThread: byThread.get(),
      status: status.get(),
      clientStatus: reuse(prev.clientStatus, clientNext),
      health: sources.health(),
    };
    if (reuse(prev, next) !== prev) store.setState(next, true);
  }
}

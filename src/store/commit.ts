import type { HealthStatus, PendingWrite } from '../core/types.js';
import { countWrites, deriveStatus, sameStatus, type WriteCounts } from './deriveStatus.js';
import { groupPending } from './groupPending.js';
import type { ThreadBook } from './threadBook.js';
import type { SyncStore, SyncStoreState } from './types.js';

export interface CommitSources {
  store: SyncStore;
  book: ThreadBook;
  pending(): PendingWrite[];
  inFlight(threadId: string): boolean;
  anyInFlight(): boolean;
  online(): boolean;
  clientLastSyncedAt(): number | null;
  health(): HealthStatus;
}

const EMPTY: PendingWrite[] = [];

const countCache = new WeakMap<readonly PendingWrite[], WriteCounts>();
/** Counts of a list of writes (the queue, or one thread's group), once per version of it. */
function counts(list: readonly PendingWrite[]): WriteCounts {
  let c = countCache.get(list);
  if (!c) countCache.set(list, (c = countWrites(list)));
  return c;
}

function sameItems(a: readonly PendingWrite[] | undefined, b: readonly PendingWrite[]): boolean {
  if (a === b) return true;
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
      const group = groups.get(id) ?? EMPTY;
      const prevGroup = prev.pendingByThread[id];
      byThread.set(id, group.length === 0 ? undefined : sameItems(prevGroup, group) ? prevGroup : group);
      const next = deriveStatus({
        writes: group,
        counted: counts(group),
        inFlight: sources.inFlight(id),
        online,
        lastSyncedAt: book.lastSyncedAt(id),
      });
      status.set(id, sameStatus(prev.status[id], next) ? prev.status[id] : next);
    }
    const clientNext = deriveStatus({
      writes: pending,
      counted: counts(pending),
      inFlight: sources.anyInFlight(),
      online,
      lastSyncedAt: sources.clientLastSyncedAt(),
    });
    const next: SyncStoreState = {
      threads: threads.get(),
      confirmed: confirmed.get(),
      pending: sameItems(prev.pending, pending) ? prev.pending : pending,
      pendingByThread: byThread.get(),
      status: status.get(),
      clientStatus: sameStatus(prev.clientStatus, clientNext) ? prev.clientStatus : clientNext,
      health: sources.health(),
    };
    const changed = (Object.keys(next) as Array<keyof SyncStoreState>).some((k) => next[k] !== prev[k]);
    if (changed) store.setState(next, true);
  }
}

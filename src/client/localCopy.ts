import { toSyncError, type SyncError } from '../model/errors.js';
import { isRecord } from '../model/isRecord.js';
import type { Thread } from '../model/types.js';
import { createTimer, type Clock } from '../platform/clock.js';
import { COPY_FORMAT, type CopyStorage, type StoredCopy } from '../platform/cacheStorage.js';
import type { ThreadBook } from './threadBook.js';

/** @see SyncClientOptions.cache */
export const DEFAULT_CACHE_MAX_BYTES = 50 * 1024 * 1024;
/** A changed thread is written at most this often: a streamed reply is a few writes, not one a token. */
export const COPY_WRITE_MS = 1000;

/** A thread read back from the copy. */
export interface RestoredThread {
  thread: Thread;
  lastSyncedAt: number | null;
}

/**
 * The local copy's policy (docs/local-copy.md): which confirmed threads are written, when, and
 * which are evicted. The storage is behind `CopyStorage` (src/platform/cacheStorage.ts).
 */
export interface LocalCopy {
  /** The stored threads, checked; a record that fails the check is deleted with a warning. */
  restore(): Promise<RestoredThread[]>;
  /** Threads the book touched (any of them may hold a new confirmed version). */
  touched(threadIds: Iterable<string>): void;
  /** A thread was watched or unwatched just now (least recently watched go first). */
  watched(threadId: string): void;
  /** Writes what changed now (stop, dispose, pagehide). */
  flush(): Promise<void>;
  /** Erases the namespace's copy; nothing written before is written again unless it changes. */
  clear(): Promise<void>;
  /** Whether the last storage call failed. */
  failing(): boolean;
  dispose(): void;
}

export function createLocalCopy(ctx: {
  storage: CopyStorage;
  namespace: string;
  clock: Clock;
  maxBytes: number;
  /** The confirmed thread and when it last synced, as the book has them now. */
  source: Pick<ThreadBook, 'confirmed' | 'lastSyncedAt'>;
  /** Whether this client writes the copy (in tabs, only the leader does). */
  writer(): boolean;
  /** A storage call failed (the error) or worked again after failing (null). */
  storageChanged(error: SyncError | null): void;
}): LocalCopy {
  const { storage, namespace, clock, source } = ctx;
  const timer = createTimer(clock);
  /** What is stored, per thread: the confirmed object written, its size, when last watched. */
  const kept = new Map<string, { thread: Thread | undefined; bytes: number; watchedAt: number }>();
  let dirty = new Set<string>();
  let failure: SyncError | null = null;
  let writing: Promise<void> = Promise.resolve();
  let disposed = false;

  const call = async (action: () => Promise<void>): Promise<boolean> => {
    try {
      await action();
    } catch (error) {
      const first = failure === null;
      failure = toSyncError(error, 'storage', 'The local copy could not be stored');
      if (first) ctx.storageChanged(failure);
      return false;
    }
    if (failure) {
      failure = null;
      ctx.storageChanged(null);
    }
    return true;
  };

  const schedule = () => {
    if (disposed || timer.pending() || dirty.size === 0) return;
    timer.set(() => void copy.flush(), COPY_WRITE_MS);
  };

  const keep = (threadId: string) => {
    let k = kept.get(threadId);
    if (!k) kept.set(threadId, (k = { thread: undefined, bytes: 0, watchedAt: clock.now() }));
    return k;
  };

  async function write() {
    if (!ctx.writer()) {
      dirty.clear();
      return;
    }
    const ids = dirty;
    dirty = new Set();
    const copies: StoredCopy[] = [];
    for (const id of ids) {
      const thread = source.confirmed(id);
      if (!thread) continue;
      const k = keep(id);
      const bytes = JSON.stringify(thread).length;
      copies.push({ format: COPY_FORMAT, thread, lastSyncedAt: source.lastSyncedAt(id), watchedAt: k.watchedAt, bytes });
    }
    const evicted = evict(copies);
    const stored = copies.filter((c) => !evicted.includes(c.thread.id));
    const ok = await call(async () => {
      await storage.put(namespace, stored);
      await storage.remove(namespace, evicted);
    });
    if (!ok) {
      // Kept in memory and tried again later: the copy is only ever behind, never wrong.
      for (const id of ids) dirty.add(id);
      schedule();
      return;
    }
    for (const c of stored) Object.assign(keep(c.thread.id), { thread: c.thread, bytes: c.bytes });
    for (const id of evicted) kept.delete(id);
  }

  /** The threads to drop so that the copy fits `maxBytes`, least recently watched first. */
  function evict(copies: StoredCopy[]): string[] {
    const sizes = new Map<string, { bytes: number; watchedAt: number }>();
    for (const [id, k] of kept) if (k.thread) sizes.set(id, k);
    for (const c of copies) sizes.set(c.thread.id, c);
    let total = 0;
    for (const s of sizes.values()) total += s.bytes;
    const evicted: string[] = [];
    for (const [id, s] of [...sizes].sort((a, b) => a[1].watchedAt - b[1].watchedAt)) {
      if (total <= ctx.maxBytes) break;
      total -= s.bytes;
      evicted.push(id);
    }
    return evicted;
  }

  const copy: LocalCopy = {
    async restore() {
      let records: { key: string; value: unknown }[] = [];
      if (!(await call(async () => void (records = await storage.load(namespace))))) return [];
      const restored: RestoredThread[] = [];
      const bad: string[] = [];
      for (const { key, value } of records) {
        const problem = checkCopy(key, value);
        if (problem) {
          console.warn(`[syncline] the local copy of thread "${key}" was discarded: ${problem}`);
          bad.push(key);
          continue;
        }
        const c = value as StoredCopy;
        kept.set(key, { thread: c.thread, bytes: c.bytes, watchedAt: c.watchedAt });
        restored.push({ thread: c.thread, lastSyncedAt: c.lastSyncedAt });
      }
      if (bad.length > 0) await call(() => storage.remove(namespace, bad));
      return restored;
    },
    touched(threadIds) {
      if (!ctx.writer()) return;
      for (const id of threadIds) if (source.confirmed(id) !== kept.get(id)?.thread) dirty.add(id);
      schedule();
    },
    watched(threadId) {
      const k = keep(threadId);
      k.watchedAt = clock.now();
      if (k.thread) dirty.add(threadId);
      schedule();
    },
    flush() {
      timer.clear();
      writing = writing.then(write);
      return writing;
    },
    async clear() {
      timer.clear();
      dirty.clear();
      await writing;
      // What was stored counts as written: it is not written again until it changes.
      const ok = await call(() => storage.clear(namespace));
      for (const k of kept.values()) k.bytes = 0;
      if (!ok) throw failure!;
    },
    failing: () => failure !== null,
    dispose() {
      disposed = true;
      timer.clear();
    },
  };
  return copy;
}

/** Why a stored record cannot be used, or null when it can. */
function checkCopy(key: string, value: unknown): string | null {
  if (!isRecord(value)) return 'it is not an object';
  if (value.format !== COPY_FORMAT) return `it is in format ${String(value.format)}, this version of syncline reads format ${COPY_FORMAT}`;
  const thread = value.thread;
  if (!isRecord(thread) || thread.id !== key || !Number.isSafeInteger(thread.v) || !Array.isArray(thread.messages)) {
    return 'its thread is not a thread (id, v, messages)';
  }
  if (!thread.messages.every((m) => isRecord(m) && typeof m.id === 'string')) return 'a message has no id';
  if (value.lastSyncedAt !== null && !Number.isFinite(value.lastSyncedAt)) return 'lastSyncedAt is not a time';
  if (!Number.isFinite(value.watchedAt) || !Number.isFinite(value.bytes)) return 'watchedAt or bytes is not a number';
  return null;
}

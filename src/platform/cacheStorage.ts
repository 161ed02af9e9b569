import { clear, createStore, delMany, entries, promisifyRequest } from 'idb-keyval';
import type { UseStore } from 'idb-keyval';
import { SyncError } from '../model/errors.js';
import type { Thread } from '../model/types.js';
import { hasIndexedDb } from './indexedDbStorage.js';
import { toStorageError } from './memoryStorage.js';

/** The shape a kept thread is stored in; a record of any other format is discarded on load. */
export const COPY_FORMAT = 1;

/** One confirmed thread as kept between page loads (docs/local-copy.md). Plain data only. */
export interface StoredCopy {
  format: typeof COPY_FORMAT;
  thread: Thread;
  /** When this client last heard from the server for the thread. */
  lastSyncedAt: number | null;
  /** When the thread was last watched: the least recently watched go first past `maxBytes`. */
  watchedAt: number;
  /** The thread's size as JSON, counted against `maxBytes`. */
  bytes: number;
}

/**
 * Where the local copy lives, per namespace: one namespace never sees another's. `load` returns
 * the records as stored (unchecked: the local copy validates them). Every method may reject;
 * the client shows that as `degradedReason: 'storage'`.
 */
export interface CopyStorage {
  load(namespace: string): Promise<{ key: string; value: unknown }[]>;
  /** Insert or replace by thread id, all or nothing. */
  put(namespace: string, copies: StoredCopy[]): Promise<void>;
  remove(namespace: string, threadIds: string[]): Promise<void>;
  /** Erases the namespace's copy. */
  clear(namespace: string): Promise<void>;
}

const KEY_PREFIX = 't:';

/** The IndexedDB database of a namespace's copy, beside its outbox (`${dbPrefix}-outbox-…`). */
export const copyDatabaseName = (namespace: string, dbPrefix = 'syncline') => `${dbPrefix}-copy-${namespace}`;

/**
 * The local copy in IndexedDB (through idb-keyval), one database per namespace. Nothing is
 * opened until the first call; every failure rejects with a `storage` SyncError.
 */
export function createIndexedDbCopyStorage(options: { dbPrefix?: string } = {}): CopyStorage {
  const stores = new Map<string, UseStore>();

  const run = async <T>(action: string, namespace: string, fn: (store: UseStore) => Promise<T>) => {
    try {
      if (!hasIndexedDb()) throw new SyncError('storage', 'IndexedDB is not available here: the local copy cannot be kept.');
      const store = stores.get(namespace) ?? createStore(copyDatabaseName(namespace, options.dbPrefix), 'threads');
      stores.set(namespace, store);
      return await fn(store);
    } catch (error) {
      throw toStorageError(error, `${action} (namespace "${namespace}")`);
    }
  };

  return {
    load: (namespace) =>
      run('read the local copy', namespace, async (store) =>
        (await entries<IDBValidKey, unknown>(store))
          .filter((pair): pair is [string, unknown] => typeof pair[0] === 'string' && pair[0].startsWith(KEY_PREFIX))
          .map(([key, value]) => ({ key: key.slice(KEY_PREFIX.length), value })),
      ),
    put(namespace, copies) {
      if (copies.length === 0) return Promise.resolve();
      return run('save the local copy', namespace, (store) =>
        // As the outbox's putWrites: a put that throws at once aborts the whole transaction.
        store('readwrite', (objectStore) => {
          try {
            for (const copy of copies) objectStore.put(copy, KEY_PREFIX + copy.thread.id);
          } catch (error) {
            objectStore.transaction.abort();
            throw error;
          }
          return promisifyRequest(objectStore.transaction);
        }),
      );
    },
    remove(namespace, threadIds) {
      if (threadIds.length === 0) return Promise.resolve();
      return run('evict threads from the local copy', namespace, (store) =>
        delMany(
          threadIds.map((id) => KEY_PREFIX + id),
          store,
        ),
      );
    },
    clear: (namespace) => run('erase the local copy', namespace, (store) => clear(store)),
  };
}

/**
 * A copy that lives as long as the client (outside browsers): structured clones, so it accepts
 * and refuses what IndexedDB would. Never shared between clients: a server rendering pages for
 * several people keeps nobody's threads for anybody else.
 */
export function createMemoryCopyStorage(): CopyStorage {
  const spaces = new Map<string, Map<string, unknown>>();
  const space = (namespace: string) => {
    const found = spaces.get(namespace) ?? new Map<string, unknown>();
    spaces.set(namespace, found);
    return found;
  };
  const clone = <T>(value: T, action: string): T => {
    try {
      return structuredClone(value);
    } catch (error) {
      throw toStorageError(error, action);
    }
  };
  return {
    load: async (namespace) => [...space(namespace)].map(([key, value]) => ({ key, value: clone(value, 'read the local copy') })),
    async put(namespace, copies) {
      const cloned = clone(copies, 'save the local copy');
      for (const copy of cloned) space(namespace).set(copy.thread.id, copy);
    },
    async remove(namespace, threadIds) {
      for (const id of threadIds) space(namespace).delete(id);
    },
    async clear(namespace) {
      spaces.delete(namespace);
    },
  };
}

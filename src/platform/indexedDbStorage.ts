import { createStore, delMany, entries, get, promisifyRequest, set } from 'idb-keyval';
import type { UseStore } from 'idb-keyval';
import { SyncError } from '../model/errors.js';
import { bySeq, toStorageError } from './memoryStorage.js';
import type { OutboxMeta, OutboxStorage, StoredWrite } from './storage.js';

export interface IndexedDbStorageOptions {
  /**
   * Prefix of the database names. Each namespace gets its own database,
   * `${dbPrefix}-outbox-${namespace}`, so namespaces are isolated by construction.
   * @default 'syncline'
   */
  dbPrefix?: string;
}

const META_KEY = 'meta';
const WRITE_PREFIX = 'w:';

/** Looked up at call time, never at module load: importing syncline in Node touches nothing. */
export function hasIndexedDb(): boolean {
  return (globalThis as { indexedDB?: IDBFactory }).indexedDB !== undefined;
}

/**
 * The outbox in IndexedDB (through idb-keyval): writes survive reloads and crashes. It stores only
 * what it is given (writes and meta), never headers or tokens. Every failure rejects with a
 * `storage` SyncError; nothing is opened until the first call.
 */
export function createIndexedDbStorage(options: IndexedDbStorageOptions = {}): OutboxStorage {
  const dbPrefix = options.dbPrefix ?? 'syncline';
  const stores = new Map<string, UseStore>();

  // Whether it throws (no IndexedDB) or rejects (quota, clone, blocked), every failure becomes
  // one rejected promise with a storage SyncError.
  const run = async <T>(action: string, namespace: string, fn: (store: UseStore) => Promise<T>) => {
    try {
      if (!hasIndexedDb()) {
        throw new SyncError(
          'storage',
          'IndexedDB is not available here (Node, an old browser, or a page that blocks storage). ' +
            'Pass `storage: createMemoryStorage()` (writes are lost on reload) or use `defaultStorage()`, ' +
            'which falls back to memory by itself.',
        );
      }
      const store = stores.get(namespace) ?? createStore(`${dbPrefix}-outbox-${namespace}`, 'outbox');
      stores.set(namespace, store);
      return await fn(store);
    } catch (error) {
      throw toStorageError(error, `${action} (namespace "${namespace}")`);
    }
  };

  return {
    loadMeta(namespace) {
      return run('read the outbox meta', namespace, (store) => get<OutboxMeta>(META_KEY, store));
    },

    saveMeta(namespace, meta) {
      return run('save the outbox meta', namespace, (store) => set(META_KEY, meta, store));
    },

    loadWrites(namespace) {
      return run('read the outbox', namespace, async (store) =>
        (await entries<IDBValidKey, StoredWrite>(store))
          .filter(([key]) => typeof key === 'string' && key.startsWith(WRITE_PREFIX))
          .map(([, write]) => write)
          .sort(bySeq),
      );
    },

    putWrites(namespace, writes) {
      if (writes.length === 0) return Promise.resolve();
      return run('save writes to the outbox', namespace, (store) =>
        // setMany's loop, plus an abort: a put that throws synchronously (DataCloneError) does
        // not abort the transaction by itself, and the puts before it would commit. All or nothing.
        store('readwrite', (objectStore) => {
          try {
            for (const write of writes) objectStore.put(write, WRITE_PREFIX + write.id);
          } catch (error) {
            objectStore.transaction.abort();
            throw error;
          }
          return promisifyRequest(objectStore.transaction);
        }),
      );
    },

    deleteWrites(namespace, ids) {
      if (ids.length === 0) return Promise.resolve();
      return run('delete writes from the outbox', namespace, (store) =>
        delMany(
          ids.map((id) => WRITE_PREFIX + id),
          store,
        ),
      );
    },
  };
}

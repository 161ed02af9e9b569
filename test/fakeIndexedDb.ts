import { IDBFactory } from 'fake-indexeddb';
import { createIndexedDbCopyStorage } from '../src/platform/cacheStorage.js';

// The default storage (outbox and local copy) on fake-indexeddb, fresh for each test: what a
// browser's IndexedDB does, in Node and jsdom.

type Global = { indexedDB?: IDBFactory };

/**
 * Installs a fresh fake IndexedDB before each test of the file and removes it after. Call it
 * before the file's own hooks, so its clean-up runs after theirs (clients disposed first).
 */
export function freshIndexedDbPerTest(): void {
  beforeEach(() => {
    (globalThis as Global).indexedDB = new IDBFactory();
  });
  afterEach(() => {
    delete (globalThis as Global).indexedDB;
  });
}

/** Lets fake-indexeddb's own (real) tasks run while fake time stands still. */
export const idle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The ids of the threads the local copy of `namespace` holds (docs/local-copy.md). */
export const copiedThreadIds = async (namespace = 'default') => (await createIndexedDbCopyStorage().load(namespace)).map((r) => r.key);

import { createIndexedDbStorage, hasIndexedDb, type IndexedDbStorageOptions } from './indexedDbStorage.js';
import { createMemoryStorage } from './memoryStorage.js';
import type { OutboxStorage } from './storage.js';

/**
 * The storage a client gets when it is given none (docs/outbox.md): IndexedDB where the page has it,
 * so a reload loses nothing; memory elsewhere (Node, tests, server rendering). Decided at call
 * time, never at module load.
 */
export function defaultStorage(options?: IndexedDbStorageOptions): OutboxStorage {
  return hasIndexedDb() ? createIndexedDbStorage(options) : createMemoryStorage();
}

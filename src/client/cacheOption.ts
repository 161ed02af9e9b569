import { SyncError } from '../model/errors.js';
import { createIndexedDbCopyStorage, createMemoryCopyStorage, type CopyStorage } from '../platform/cacheStorage.js';
import { hasIndexedDb } from '../platform/indexedDbStorage.js';
import type { OutboxStorage } from '../platform/storage.js';
import type { Outbox } from '../outbox/outbox.js';
import { DEFAULT_CACHE_MAX_BYTES } from './localCopy.js';

/** What `SyncClientOptions.cache` asks for. */
export type CacheOption = boolean | { maxBytes?: number };

/**
 * The local copy's storage and bound (docs/local-copy.md). On by default where the client keeps
 * its outbox in the default IndexedDB storage; `cache: true` keeps it in memory elsewhere.
 * `erase` is what `clearLocalData` empties: the browser's copy even when caching is off now (an
 * earlier page load may have kept one).
 */
export function resolveCache(cache: CacheOption | undefined, storageGiven: boolean) {
  const erase: CopyStorage | undefined = hasIndexedDb() ? createIndexedDbCopyStorage() : undefined;
  const on = cache === undefined ? !storageGiven && erase !== undefined : cache !== false;
  const maxBytes = typeof cache === 'object' ? (cache.maxBytes ?? DEFAULT_CACHE_MAX_BYTES) : DEFAULT_CACHE_MAX_BYTES;
  if (!(typeof maxBytes === 'number' && maxBytes >= 0 && Number.isFinite(maxBytes))) {
    throw new SyncError('rejected', `cache.maxBytes must be a number of bytes (0 or more), not ${String(maxBytes)}.`, {
      code: 'invalid-option',
    });
  }
  return { on, maxBytes, storage: erase ?? createMemoryCopyStorage(), erase };
}

/**
 * Erases a namespace's stored writes: the ones in memory are discarded (a write being sent may
 * already be applied and stays until answered), then every stored one is deleted.
 */
export async function erasePending(outbox: Outbox, storage: OutboxStorage, namespace: string): Promise<void> {
  for (const write of outbox.list()) outbox.discard(write.id);
  const stored = await storage.loadWrites(namespace);
  await storage.deleteWrites(
    namespace,
    stored.map((w) => w.id),
  );
}

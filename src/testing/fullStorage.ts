import type { OutboxStorage } from '../platform/storage.js';

/**
 * A device storage that is full: it loads an empty outbox and refuses every write with a
 * `QuotaExceededError`, as IndexedDB does past its quota (`throwSync`: it throws instead of
 * rejecting, as a broken storage adapter might). For showing `degradedReason: 'storage'`.
 */
export function createFullStorage(options: { throwSync?: boolean } = {}): OutboxStorage {
  const refuse = () => {
    const error = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    if (options.throwSync) throw error;
    return Promise.reject(error);
  };
  return { loadMeta: async () => undefined, loadWrites: async () => [], saveMeta: refuse, putWrites: refuse, deleteWrites: refuse };
}

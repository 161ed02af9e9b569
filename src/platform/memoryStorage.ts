import { SyncError } from '../model/errors.js';
import type { OutboxMeta, OutboxStorage, StoredWrite } from './storage.js';

/** What to do next, by the name of what a storage backend threw. */
const ADVICE = new Map<unknown, string>([
  [
    'DataCloneError',
    'A write holds a value that cannot be stored (a function, a symbol, a class instance with ' +
      'methods, a DOM node…). Pass plain data (objects, arrays, strings, numbers, booleans, null) ' +
      'as mutation args.',
  ],
  [
    'QuotaExceededError',
    "The browser refused more data for this site (storage quota). Free disk space or clear this site's " +
      'data, then retry; discarding failed writes also frees room.',
  ],
]);

/**
 * Turns whatever a storage backend threw into a `storage` SyncError that says what to do next.
 * Shared by the memory and IndexedDB adapters so both fail the same way.
 */
export function toStorageError(cause: unknown, action: string): SyncError {
  if (cause instanceof SyncError) return cause;
  const name = typeof cause === 'object' && cause !== null ? (cause as { name?: unknown }).name : undefined;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const advice =
    ADVICE.get(name) ??
    'Check that IndexedDB is allowed on this page (private windows and some embedded web views ' +
      'block it), or pass `storage: createMemoryStorage()` to keep the outbox in memory only ' +
      '(writes are then lost on reload).';
  return new SyncError('storage', `Could not ${action}: ${detail}. ${advice}`, { cause });
}

function clone<T>(value: T, action: string): T {
  try {
    return structuredClone(value);
  } catch (error) {
    throw toStorageError(error, action);
  }
}

/**
 * An outbox that lives as long as the page. It keeps structured clones, never the caller's
 * objects, so it accepts and refuses exactly what IndexedDB would and a caller mutating a write
 * after `putWrites` cannot change what was stored.
 */
export function createMemoryStorage(): OutboxStorage {
  const metas = new Map<string, OutboxMeta>();
  const spaces = new Map<string, Map<string, StoredWrite>>();

  return {
    async loadMeta(namespace) {
      const meta = metas.get(namespace);
      return meta && clone(meta, 'read the outbox meta');
    },

    async saveMeta(namespace, meta) {
      metas.set(namespace, clone(meta, 'save the outbox meta'));
    },

    async loadWrites(namespace) {
      return clone([...(spaces.get(namespace)?.values() ?? [])], 'read the outbox').sort(bySeq);
    },

    async putWrites(namespace, writes) {
      // Clone every write before storing any: like one IndexedDB transaction, all or nothing.
      const copies = clone(writes, 'save writes to the outbox');
      const stored = spaces.get(namespace) ?? new Map<string, StoredWrite>();
      spaces.set(namespace, stored);
      for (const write of copies) stored.set(write.id, write);
    },

    async deleteWrites(namespace, ids) {
      for (const id of ids) spaces.get(namespace)?.delete(id);
    },
  };
}

/**
 * `seq` order. Two clientIds of one namespace can hold the same seq: clientId, then id, break
 * ties so two loads of the same data always agree.
 */
export function bySeq(a: StoredWrite, b: StoredWrite): number {
  return a.seq - b.seq || compare(a.clientId, b.clientId) || compare(a.id, b.id);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { defaultStorage } from '../../src/platform/defaultStorage.js';
import { SyncError } from '../../src/model/errors.js';
import { createIndexedDbStorage } from '../../src/platform/indexedDbStorage.js';
import type { OutboxStorage, StoredWrite } from '../../src/platform/storage.js';

type Global = { indexedDB?: IDBFactory };

function storedWrite(id: string, seq: number): StoredWrite {
  return {
    id,
    clientId: 'c',
    seq,
    threadId: 't1',
    name: 'addMessage',
    args: { message: { id: `m-${id}`, role: 'user', content: 'hi', createdAt: seq } },
    createdAt: seq,
    attempts: 0,
    state: 'queued',
    lastError: null,
  };
}

async function rejection(promise: Promise<unknown>): Promise<SyncError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SyncError);
  return error as SyncError;
}

let factory: IDBFactory;

beforeEach(() => {
  factory = new IDBFactory();
  (globalThis as Global).indexedDB = factory;
});

afterEach(() => {
  delete (globalThis as Global).indexedDB;
});

describe('createIndexedDbStorage', () => {
  it('survives a reload: a new instance over the same database sees meta and writes', async () => {
    const before = createIndexedDbStorage();
    await before.saveMeta('ns', { epoch: 1, lastSeq: { c: 2 } });
    await before.putWrites('ns', [storedWrite('b', 2), storedWrite('a', 1)]);

    const after = createIndexedDbStorage();
    await expect(after.loadMeta('ns')).resolves.toEqual({ epoch: 1, lastSeq: { c: 2 } });
    await expect(after.loadWrites('ns')).resolves.toEqual([storedWrite('a', 1), storedWrite('b', 2)]);
  });

  it('gives each namespace its own database under the prefix', async () => {
    const storage = createIndexedDbStorage({ dbPrefix: 'app' });
    await storage.putWrites('alice', [storedWrite('a', 1)]);
    await storage.saveMeta('bob', { epoch: 1, lastSeq: { c: 0 } });
    const names = (await factory.databases()).map((db) => db.name).sort();
    expect(names).toEqual(['app-outbox-alice', 'app-outbox-bob']);
    // Another prefix is another set of databases.
    await expect(createIndexedDbStorage({ dbPrefix: 'other' }).loadWrites('alice')).resolves.toEqual([]);
    await expect(createIndexedDbStorage().loadWrites('alice')).resolves.toEqual([]);
  });

  it('rejects every call with a storage SyncError when there is no IndexedDB', async () => {
    delete (globalThis as Global).indexedDB;
    const storage = createIndexedDbStorage();
    const calls: Array<(s: OutboxStorage) => Promise<unknown>> = [
      (s) => s.loadMeta('ns'),
      (s) => s.saveMeta('ns', { epoch: 1, lastSeq: { c: 0 } }),
      (s) => s.loadWrites('ns'),
      (s) => s.putWrites('ns', [storedWrite('a', 1)]),
      (s) => s.deleteWrites('ns', ['a']),
    ];
    for (const call of calls) {
      const error = await rejection(call(storage));
      expect(error.kind).toBe('storage');
      expect(error.message).toMatch(/IndexedDB is not available/);
      expect(error.message).toMatch(/createMemoryStorage/);
    }
  });

  it('works once IndexedDB appears, though created without it', async () => {
    delete (globalThis as Global).indexedDB;
    const storage = createIndexedDbStorage();
    await rejection(storage.loadWrites('ns'));
    (globalThis as Global).indexedDB = factory;
    await storage.putWrites('ns', [storedWrite('a', 1)]);
    await expect(storage.loadWrites('ns')).resolves.toHaveLength(1);
  });

  it('reports a full disk as a storage SyncError that says how to free room', async () => {
    const storage = createIndexedDbStorage();
    await storage.putWrites('ns', [storedWrite('a', 1)]);
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const error = await rejection(storage.putWrites('ns', [storedWrite('b', 2)]));
    expect(error.kind).toBe('storage');
    expect(error.message).toMatch(/quota/i);
    expect((error.cause as DOMException).name).toBe('QuotaExceededError');
    vi.restoreAllMocks();
    await expect(storage.loadWrites('ns')).resolves.toEqual([storedWrite('a', 1)]);
  });
});

describe('defaultStorage', () => {
  it('uses IndexedDB when the page has it', async () => {
    await defaultStorage().putWrites('ns', [storedWrite('a', 1)]);
    // Seen by a plain IndexedDB storage: it went to the database, not to memory.
    await expect(createIndexedDbStorage().loadWrites('ns')).resolves.toEqual([storedWrite('a', 1)]);
  });

  it('falls back to memory where there is no IndexedDB', async () => {
    delete (globalThis as Global).indexedDB;
    const storage = defaultStorage();
    await storage.saveMeta('ns', { epoch: 1, lastSeq: { c: 1 } });
    await storage.putWrites('ns', [storedWrite('a', 1)]);
    await expect(storage.loadWrites('ns')).resolves.toEqual([storedWrite('a', 1)]);
    await expect(storage.loadMeta('ns')).resolves.toEqual({ epoch: 1, lastSeq: { c: 1 } });
  });
});

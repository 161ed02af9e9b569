import { IDBFactory } from 'fake-indexeddb';
import { SyncError } from '../../src/model/errors.js';
import { createIndexedDbStorage } from '../../src/platform/indexedDbStorage.js';
import { createMemoryStorage } from '../../src/platform/memoryStorage.js';
import type { OutboxMeta, OutboxStorage, StoredWrite } from '../../src/platform/storage.js';

type Global = { indexedDB?: IDBFactory };

function storedWrite(id: string, seq: number, args: unknown = { title: id }): StoredWrite {
  return {
    id,
    clientId: 'client-a',
    seq,
    threadId: 't1',
    name: 'setTitle',
    args,
    createdAt: 1_000 + seq,
    attempts: 0,
    state: 'queued',
    lastError: null,
  };
}

const META: OutboxMeta = { epoch: 2, lastSeq: { 'client-a': 3 } };

// Every adapter must keep the same promises: the client is written against the interface.
describe.each([
  ['memory', () => createMemoryStorage()],
  ['IndexedDB', () => createIndexedDbStorage()],
] as Array<[string, () => OutboxStorage]>)('OutboxStorage contract: %s', (_name, create) => {
  let storage: OutboxStorage;

  beforeEach(() => {
    // A fresh factory per test is a clean set of databases.
    (globalThis as Global).indexedDB = new IDBFactory();
    storage = create();
  });

  afterEach(() => {
    delete (globalThis as Global).indexedDB;
  });

  it('starts empty', async () => {
    await expect(storage.loadMeta('ns')).resolves.toBeUndefined();
    await expect(storage.loadWrites('ns')).resolves.toEqual([]);
  });

  it('round-trips meta, and a later save replaces it', async () => {
    await storage.saveMeta('ns', META);
    await expect(storage.loadMeta('ns')).resolves.toEqual(META);
    const next = { epoch: 3, lastSeq: { 'client-a': 9, 'client-b': 1 } };
    await storage.saveMeta('ns', next);
    await expect(storage.loadMeta('ns')).resolves.toEqual(next);
  });

  it('round-trips writes, errors included, and returns them in seq order', async () => {
    const failed: StoredWrite = {
      ...storedWrite('c', 2, { nested: { list: [1, 'two', null] } }),
      state: 'failed',
      attempts: 3,
      lastError: { kind: 'rejected', message: 'no such message', code: 'not-found', status: 200 },
    };
    await storage.putWrites('ns', [storedWrite('a', 10), failed]);
    await storage.putWrites('ns', [storedWrite('b', 1)]);
    const loaded = await storage.loadWrites('ns');
    expect(loaded.map((w) => w.seq)).toEqual([1, 2, 10]);
    expect(loaded[1]).toEqual(failed);
  });

  it('orders writes of two clientIds by seq, with a stable order for equal seqs', async () => {
    const other = (id: string, seq: number): StoredWrite => ({ ...storedWrite(id, seq), clientId: 'client-b' });
    await storage.putWrites('ns', [other('z', 1), storedWrite('y', 2), other('x', 2), storedWrite('w', 1)]);
    const loaded = await storage.loadWrites('ns');
    expect(loaded.map((w) => `${w.clientId}:${w.seq}`)).toEqual([
      'client-a:1',
      'client-b:1',
      'client-a:2',
      'client-b:2',
    ]);
  });

  it('replaces a write with the same id instead of adding a second one', async () => {
    await storage.putWrites('ns', [storedWrite('a', 1), storedWrite('b', 2)]);
    await storage.putWrites('ns', [{ ...storedWrite('a', 1), attempts: 4, state: 'failed' }]);
    const loaded = await storage.loadWrites('ns');
    expect(loaded).toHaveLength(2);
    expect(loaded[0]).toMatchObject({ id: 'a', attempts: 4, state: 'failed' });
  });

  it('deletes only the named writes and ignores unknown ids', async () => {
    await storage.putWrites('ns', [storedWrite('a', 1), storedWrite('b', 2), storedWrite('c', 3)]);
    await storage.deleteWrites('ns', ['a', 'c', 'never-stored']);
    await expect(storage.loadWrites('ns')).resolves.toEqual([storedWrite('b', 2)]);
    await storage.deleteWrites('ns', []);
    await storage.deleteWrites('other', ['b']);
    await expect(storage.loadWrites('ns')).resolves.toHaveLength(1);
  });

  it('keeps namespaces apart: one user never sees another user’s outbox', async () => {
    await storage.saveMeta('alice', META);
    await storage.putWrites('alice', [storedWrite('a', 1)]);
    await storage.putWrites('bob', [storedWrite('b', 1)]);
    await expect(storage.loadMeta('bob')).resolves.toBeUndefined();
    await expect(storage.loadWrites('alice')).resolves.toEqual([storedWrite('a', 1)]);
    await expect(storage.loadWrites('bob')).resolves.toEqual([storedWrite('b', 1)]);
    await storage.deleteWrites('bob', ['a']);
    await expect(storage.loadWrites('alice')).resolves.toHaveLength(1);
  });

  it('stores copies: changing an object after saving, or what was loaded, changes nothing stored', async () => {
    const write = storedWrite('a', 1, { title: 'before' });
    const meta = structuredClone(META);
    await storage.putWrites('ns', [write]);
    await storage.saveMeta('ns', meta);
    (write.args as { title: string }).title = 'after';
    meta.lastSeq['client-a'] = 99;
    const [loaded] = await storage.loadWrites('ns');
    (loaded!.args as { title: string }).title = 'changed by reader';
    (await storage.loadMeta('ns'))!.lastSeq['client-a'] = 42;
    await expect(storage.loadWrites('ns')).resolves.toEqual([storedWrite('a', 1, { title: 'before' })]);
    await expect(storage.loadMeta('ns')).resolves.toEqual(META);
  });

  it('rejects unclonable args with a storage SyncError and stores none of that batch', async () => {
    await storage.putWrites('ns', [storedWrite('kept', 1)]);
    const bad = storedWrite('bad', 3, { callback: () => 1 });
    const error = await storage.putWrites('ns', [storedWrite('good', 2), bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject({ kind: 'storage', retryable: false });
    expect((error as SyncError).message).toMatch(/plain data/);
    expect((error as SyncError).cause).toBeDefined();
    await expect(storage.loadWrites('ns')).resolves.toEqual([storedWrite('kept', 1)]);
  });

  it('accepts empty batches', async () => {
    await storage.putWrites('ns', []);
    await expect(storage.loadWrites('ns')).resolves.toEqual([]);
  });
});

import {
  createIndexedDbStorage,
  createSyncClient,
  defaultStorage,
  SyncError,
  type StoredWrite,
} from 'syncline';
import { createFakeBackend } from 'syncline/testing';

// The browser's own IndexedDB (Node runs the same contract over fake-indexeddb).
const write = (id: string, seq: number, extra: Partial<StoredWrite> = {}): StoredWrite => ({
  id, clientId: 'c1', seq, threadId: 't1', name: 'addMessage',
  args: { message: { id, role: 'user', content: `hello ${id}`, createdAt: seq } },
  createdAt: seq, attempts: 0, state: 'queued', lastError: null, ...extra,
});

describe('IndexedDB outbox storage in Chromium', () => {
  const prefix = `test-${crypto.randomUUID()}`;

  it('keeps writes and meta across instances, in seq order, per namespace', async () => {
    const first = createIndexedDbStorage({ dbPrefix: prefix });
    await first.putWrites('alice', [write('b', 2), write('a', 1)]);
    await first.saveMeta('alice', { epoch: 3, lastSeq: { c1: 2 } });
    const reloaded = createIndexedDbStorage({ dbPrefix: prefix });
    expect((await reloaded.loadWrites('alice')).map((w) => w.id)).toEqual(['a', 'b']);
    expect(await reloaded.loadMeta('alice')).toEqual({ epoch: 3, lastSeq: { c1: 2 } });
    expect(await reloaded.loadWrites('bob')).toEqual([]);
    await reloaded.deleteWrites('alice', ['a']);
    expect((await first.loadWrites('alice')).map((w) => w.id)).toEqual(['b']);
  });

  it('refuses args the browser cannot store with a storage SyncError, and stores nothing', async () => {
    const storage = createIndexedDbStorage({ dbPrefix: prefix });
    const bad = write('x', 9, { args: { fn: () => 1 } });
    await expect(storage.putWrites('carol', [write('ok', 8), bad])).rejects.toMatchObject({ kind: 'storage' });
    await expect(storage.putWrites('carol', [bad])).rejects.toBeInstanceOf(SyncError);
    expect(await storage.loadWrites('carol')).toEqual([]);
  });

  it('is the default storage in a browser, and a reloaded client sends each write once', async () => {
    const fake = createFakeBackend({ faults: { blockPushes: true } });
    const namespace = `ns-${crypto.randomUUID()}`;
    const first = createSyncClient({ connector: fake.connector, namespace, storage: defaultStorage() });
    first.start();
    await first.ready;
    for (let i = 0; i < 5; i++) {
      first.mutate('t1', 'addMessage', { message: { id: `m${i}`, role: 'user', content: `m${i}`, createdAt: i } });
    }
    // Until every write is in IndexedDB (bounded), then the tab goes away with all of them unsent.
    for (let i = 0; i < 100 && (await defaultStorage().loadWrites(namespace)).length < 5; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    first.dispose();

    fake.setFaults({});
    const second = createSyncClient({ connector: fake.connector, namespace, storage: defaultStorage() });
    second.start();
    await second.ready;
    expect(second.getPendingItems()).toHaveLength(5);
    expect(await second.flushPending({ timeoutMs: 5000 })).toBe(5);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(fake.backend.applied).toHaveLength(5);
    second.dispose();
    fake.close();
  });
});

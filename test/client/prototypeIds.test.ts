import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient } from 'syncline';
import { createDevServer } from 'syncline/server';
import { rig, userMessage } from '../helpers.js';

/** Ids named like Object.prototype's members: each must be an ordinary thread id. */
const IDS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

function expectOrdinary(client: SyncClient, server: (id: string) => unknown) {
  for (const id of IDS) {
    expect(client.getThread(id)).toEqual(server(id));
    expect(client.getThread(id)?.messages.map((m) => m.id)).toEqual([`m-${id}`]);
    expect(client.getSyncStatus(id)).toMatchObject({ state: 'synced', pendingCount: 0 });
    expect(client.getPendingItems(id)).toEqual([]);
  }
  const { threads, status, pendingByThread } = client.store.getState();
  for (const record of [threads, status, pendingByThread]) {
    expect(Object.getPrototypeOf(record)).toBeNull();
  }
  expect(Object.keys(threads).sort()).toEqual([...IDS].sort());
  expect(typeof client.getSyncStatus('never-seen')).toBe('object');
}

describe('thread ids named like Object.prototype members', () => {
  it('work as ordinary ids through the client and the fake backend', async () => {
    const { client, clock, fake } = await rig();
    for (const id of IDS) client.watch(id);
    // Unknown ids read as unknown, not as Object.prototype's functions.
    for (const id of IDS) {
      expect(client.getSyncStatus(id)).toMatchObject({ state: 'unknown', pendingCount: 0 });
      expect(client.getPendingItems(id)).toEqual([]);
      expect(client.getThread(id)).toBeUndefined();
    }
    for (const id of IDS) client.mutate(id, 'addMessage', userMessage(`m-${id}`));
    expect(client.getPendingItems('__proto__')).toHaveLength(1);
    expect(client.getSyncStatus('constructor')).toMatchObject({ state: 'pending', pendingCount: 1 });
    await clock.advanceAsync(5000);
    expectOrdinary(client, (id) => fake.thread(id));
    // A pull that names them (a fresh client) gets each back.
    const other = createSyncClient({ connector: fake.connector, clock, storage: createMemoryStorage() });
    other.start();
    for (const id of IDS) other.watch(id);
    await clock.advanceAsync(5000);
    expectOrdinary(other, (id) => fake.thread(id));
    other.dispose();
  });

  it('a mutation named like one is an unknown mutation', async () => {
    const { client } = await rig();
    for (const name of ['constructor', 'toString', '__proto__']) {
      // Names the types refuse, to reach the run-time check.
      expect(() => client.mutate('t1', name as 'setTitle', {} as never)).toThrow(expect.objectContaining({ code: 'unknown-mutator' }));
    }
    expect(client.getPendingItems()).toEqual([]);
  });

  it('work over loopback HTTP against the dev server', async () => {
    const dev = await createDevServer();
    const make = () => {
      const c = createSyncClient({ connector: createHttpConnector({ baseUrl: dev.url }), storage: createMemoryStorage() });
      c.start();
      for (const id of IDS) c.watch(id);
      return c;
    };
    const client = make();
    const other = make();
    try {
      for (const id of IDS) client.mutate(id, 'addMessage', userMessage(`m-${id}`));
      expect(await client.flushPending({ timeoutMs: 10_000 })).toBe(IDS.length);
      await client.syncImmediately(IDS[0]!);
      expectOrdinary(client, (id) => dev.backend.thread(id));
      for (const id of IDS) await other.syncImmediately(id);
      expectOrdinary(other, (id) => dev.backend.thread(id));
    } finally {
      client.dispose();
      other.dispose();
      await dev.close();
    }
  });
});

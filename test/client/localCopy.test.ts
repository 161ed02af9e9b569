import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { createSyncClient, type SyncClient, type SyncClientOptions, type SyncConnector } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment, type FakeBackend, type FakeClock, type FakeEnvironment } from 'syncline/testing';
import { copyDatabaseName, createIndexedDbCopyStorage } from '../../src/platform/cacheStorage.js';
import { COPY_WRITE_MS } from '../../src/client/localCopy.js';
import { createIndexedDbStorage } from '../../src/platform/indexedDbStorage.js';
import { userMessage } from '../helpers.js';

type Global = { indexedDB?: IDBFactory };

/** The page's IndexedDB, kept across "reloads" (new clients) of one test. */
let factory: IDBFactory;
let clock: FakeClock;
let env: FakeEnvironment;
let fake: FakeBackend;
/** The thread versions each pull named. */
let pulls: Record<string, number>[];
const clients: SyncClient[] = [];

beforeEach(() => {
  factory = new IDBFactory();
  (globalThis as Global).indexedDB = factory;
  clock = createFakeClock();
  env = createFakeEnvironment(clock);
  fake = createFakeBackend({ clock });
  pulls = [];
});

afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
  fake.close();
  delete (globalThis as Global).indexedDB;
  vi.restoreAllMocks();
});

/** A page load: a client over the default (IndexedDB) storage, its copy on by default. */
function load(options: Partial<SyncClientOptions> = {}): SyncClient {
  const connector: SyncConnector = {
    ...fake.connector,
    pull(request, opts) {
      pulls.push({ ...request.threads });
      return fake.connector.pull(request, opts);
    },
  };
  const client = createSyncClient({ connector, clock, environment: env, tabs: 'alone', ...options });
  clients.push(client);
  return client;
}

/** Lets fake-indexeddb's own (real) tasks run while fake time stands still. */
const idle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A first page load that syncs `count` messages into t1 and writes its copy, then closes. */
async function firstLoad(count: number, options: Partial<SyncClientOptions> = {}) {
  const client = load(options);
  client.start();
  await client.ready;
  client.watch('t1');
  for (let i = 0; i < count; i++) client.mutate('t1', 'addMessage', userMessage(`m${i}`, `message ${i}`, i));
  await clock.advanceAsync(0);
  const flushed = client.flushPending();
  await clock.advanceAsync(500);
  await flushed;
  await vi.waitFor(async () => {
    await clock.advanceAsync(COPY_WRITE_MS);
    expect(await storedIds(options.namespace)).toEqual(['t1']);
    const stored = await createIndexedDbCopyStorage().load(options.namespace ?? 'default');
    expect((stored[0]!.value as { thread: { messages: unknown[] } }).thread.messages).toHaveLength(count);
  });
  client.dispose();
  clients.splice(clients.indexOf(client), 1);
}

async function storedIds(namespace = 'default') {
  return (await createIndexedDbCopyStorage().load(namespace)).map((r) => r.key).sort();
}

describe('the local copy', () => {
  it('a reload offline shows the kept thread before any answer, not "synced", with lastSyncedAt from the copy', async () => {
    await firstLoad(30);
    const syncedAt = clock.now();
    clock.advance(5 * 60_000);
    fake.setFaults({ offline: true });
    const client = load();
    client.start();
    await client.ready;
    expect(client.getThread('t1')?.messages).toHaveLength(30);
    const status = client.getSyncStatus('t1');
    expect(status.state).not.toBe('synced');
    expect(status.lastSyncedAt).not.toBeNull();
    expect(status.lastSyncedAt!).toBeLessThanOrEqual(syncedAt);
    expect(status.lastSyncedAt!).toBeGreaterThan(syncedAt - 5000);
    expect(client.getSyncStatus().state).not.toBe('synced');

    // The server answers: now it is synced, and the pull named the copy's version.
    fake.setFaults({});
    client.watch('t1');
    await clock.advanceAsync(3000);
    expect(pulls.at(-1)).toMatchObject({ t1: fake.thread('t1')!.v });
    expect(client.getSyncStatus('t1').state).toBe('synced');
  });

  it('pending writes are re-applied on top of the kept thread', async () => {
    await firstLoad(3);
    fake.setFaults({ offline: true });
    const offline = load();
    offline.start();
    await offline.ready;
    offline.mutate('t1', 'addMessage', userMessage('offline', 'written offline', 99));
    await vi.waitFor(async () => expect(await createIndexedDbStorage().loadWrites('default')).toHaveLength(1));
    offline.dispose();

    const reloaded = load();
    reloaded.start();
    await reloaded.ready;
    expect(reloaded.getThread('t1')?.messages.map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'offline']);
    fake.setFaults({});
    await clock.advanceAsync(5000);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'offline']);
  });

  it('a 200-token streamed reply is a handful of writes to storage, not 200', async () => {
    await firstLoad(1);
    const puts = vi.spyOn(IDBObjectStore.prototype, 'put');
    const client = load();
    client.start();
    await client.ready;
    client.watch('t1');
    await clock.advanceAsync(100);
    const reply = fake.reply('t1', { tokens: 200, intervalMs: 16 });
    for (let t = 0; t < 200 * 16 + 2000; t += 16) {
      await clock.advanceAsync(16);
      if (t % 256 === 0) await idle();
    }
    await reply.done;
    await client.flushPending();
    await vi.waitFor(async () => {
      const stored = await createIndexedDbCopyStorage().load('default');
      const thread = (stored[0]!.value as { thread: { messages: { status?: string }[] } }).thread;
      expect(thread.messages.at(-1)?.status).toBe('done');
    });
    const copyPuts = puts.mock.contexts.filter((store) => (store as IDBObjectStore).name === 'threads');
    expect(copyPuts.length).toBeGreaterThan(0);
    expect(copyPuts.length).toBeLessThanOrEqual(8);
  });

  it('keeps the copy under maxBytes, evicting the least recently watched first', async () => {
    const client = load({ cache: { maxBytes: 2500 } });
    client.start();
    await client.ready;
    const long = 'x'.repeat(900);
    for (const id of ['a', 'b', 'c']) {
      client.watch(id);
      client.mutate(id, 'addMessage', userMessage(`${id}1`, long));
      await clock.advanceAsync(1000);
    }
    client.watch('a'); // a is watched again: b is now the least recently watched
    await clock.advanceAsync(500);
    await vi.waitFor(async () => {
      await clock.advanceAsync(COPY_WRITE_MS);
      expect(await storedIds()).toEqual(['a', 'c']);
    });
  });

  it('a quota error is shown as storage and the copy is written once storage takes it again', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const client = load();
    client.start();
    await client.ready;
    client.watch('t1');
    const put = IDBObjectStore.prototype.put;
    const refuse = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (this.name === 'threads') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    });
    const write = client.mutate('t1', 'addMessage', userMessage('m1'));
    await vi.waitFor(async () => {
      await clock.advanceAsync(COPY_WRITE_MS);
      expect(client.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'storage' });
    });
    // The write itself is stored and sent: the copy's failure loses nothing.
    await expect(write.settled).resolves.toBeUndefined();
    expect(fake.thread('t1')?.messages).toHaveLength(1);
    refuse.mockRestore();
    await vi.waitFor(async () => {
      await clock.advanceAsync(COPY_WRITE_MS);
      expect(await storedIds()).toEqual(['t1']);
      expect(client.getHealthStatus().degradedReason).not.toBe('storage');
    });
  });

  it('a corrupted or older-format record is discarded with a warning naming it, never a crash', async () => {
    await firstLoad(2);
    const storage = createIndexedDbCopyStorage();
    const good = (await storage.load('default'))[0]!.value as Parameters<typeof storage.put>[1][number];
    await storage.put('default', [
      { ...good, thread: { ...good.thread, id: 'old' }, format: 0 as 1 },
      { ...good, thread: { ...good.thread, id: 'broken', messages: 'nope' as never } },
    ]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    fake.setFaults({ offline: true });
    const client = load();
    client.start();
    await client.ready;
    expect(client.getThread('t1')?.messages).toHaveLength(2);
    expect(client.getThread('old')).toBeUndefined();
    expect(client.getThread('broken')).toBeUndefined();
    const warnings = warn.mock.calls.map((c) => String(c[0]));
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/thread "old" was discarded: it is in format 0, this version of syncline reads format 1/),
        expect.stringMatching(/thread "broken" was discarded: its thread is not a thread/),
      ]),
    );
    await vi.waitFor(async () => expect(await storedIds()).toEqual(['t1']));
  });

  it('namespaces never see each other\'s copy', async () => {
    await firstLoad(2, { namespace: 'alice' });
    fake.setFaults({ offline: true });
    const bob = load({ namespace: 'bob' });
    bob.start();
    await bob.ready;
    expect(bob.getThread('t1')).toBeUndefined();
    const names = (await factory.databases()).map((db) => db.name);
    expect(names).toContain(copyDatabaseName('alice'));
    expect(await storedIds('bob')).toEqual([]);
  });

  it('clearLocalData erases the copy and keeps the outbox; with includePending the outbox too', async () => {
    await firstLoad(2);
    fake.setFaults({ offline: true });
    const client = load();
    client.start();
    await client.ready;
    client.mutate('t1', 'addMessage', userMessage('unsent'));
    await vi.waitFor(async () => expect(await createIndexedDbStorage().loadWrites('default')).toHaveLength(1));

    await client.clearLocalData();
    expect(await storedIds()).toEqual([]);
    expect(await createIndexedDbStorage().loadWrites('default')).toHaveLength(1);

    await client.clearLocalData({ includePending: true });
    expect(await createIndexedDbStorage().loadWrites('default')).toEqual([]);
    expect(client.getPendingItems()).toEqual([]);
    client.dispose();
    await idle();
    expect(await storedIds()).toEqual([]);
  });

  it.each([{ cache: false }, { storage: createIndexedDbStorage() }])('%o keeps no copy', async (options) => {
    const client = load(options);
    client.start();
    await client.ready;
    client.watch('t1');
    await client.flushPending();
    client.mutate('t1', 'addMessage', userMessage('m1'));
    await clock.advanceAsync(3 * COPY_WRITE_MS);
    await idle();
    expect(fake.thread('t1')?.messages).toHaveLength(1);
    expect(client.getSyncStatus('t1').state).toBe('synced');
    expect(await storedIds()).toEqual([]);
  });
});

import { IDBObjectStore } from 'fake-indexeddb';
import { createSyncClient, type SyncClient, type SyncClientOptions } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment, createFakeTabs, type FakeBackend, type FakeClock } from 'syncline/testing';
import { COPY_WRITE_MS } from '../../src/client/localCopy.js';
import { copiedThreadIds as stored, freshIndexedDbPerTest, idle } from '../fakeIndexedDb.js';
import { userMessage } from '../helpers.js';

// The local copy (docs/local-copy.md) when it is turned off, and when several tabs share it.
freshIndexedDbPerTest();
let clock: FakeClock;
let fake: FakeBackend;
const clients: SyncClient[] = [];

beforeEach(() => {
  clock = createFakeClock();
  fake = createFakeBackend({ clock });
});

afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
  fake.close();
  vi.restoreAllMocks();
});


async function run(ms: number) {
  for (let t = 0; t < ms; t += 50) {
    await clock.advanceAsync(50);
    await idle();
  }
}

it('cache: false keeps no copy, and a reload offline shows only what the outbox holds', async () => {
  const options: Partial<SyncClientOptions> = { cache: false, tabs: 'alone' };
  const first = createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock), ...options });
  clients.push(first);
  first.start();
  await first.ready;
  first.watch('t1');
  first.mutate('t1', 'addMessage', userMessage('m1'));
  await run(COPY_WRITE_MS * 3);
  expect(fake.thread('t1')?.messages).toHaveLength(1);
  first.dispose();
  await run(100);
  expect(await stored()).toEqual([]);

  fake.setFaults({ offline: true });
  const reload = createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock), ...options });
  clients.push(reload);
  reload.start();
  await reload.ready;
  await run(500);
  expect(reload.getThread('t1')).toBeUndefined();
});

it('tabs share one copy: the leader alone writes it, and a tab opened offline after all closed shows it', async () => {
  const tabs = createFakeTabs();
  const puts = vi.spyOn(IDBObjectStore.prototype, 'put');
  const tab = () => {
    const client = createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock, { tab: tabs.page() }) });
    clients.push(client);
    client.start();
    client.watch('t1');
    return client;
  };
  const [a, b, c] = [tab(), tab(), tab()];
  await run(200);
  a.mutate('t1', 'addMessage', userMessage('m1'));
  b.mutate('t1', 'addMessage', userMessage('m2'));
  const reply = fake.reply('t1', { tokens: 100, intervalMs: 20 });
  await run(100 * 20 + COPY_WRITE_MS * 3);
  await reply.done;
  for (const client of [a, b, c]) expect(client.getThread('t1')?.messages).toHaveLength(3);
  await vi.waitFor(async () => expect(await stored()).toEqual(['t1']));

  // Three tabs watching a streamed reply write the copy about once a second, not three times as often.
  const copyPuts = puts.mock.contexts.filter((store) => (store as IDBObjectStore).name === 'threads').length;
  expect(copyPuts).toBeGreaterThan(0);
  expect(copyPuts).toBeLessThanOrEqual(Math.ceil((100 * 20 + COPY_WRITE_MS * 3) / COPY_WRITE_MS) + 1);

  // Every tab closes; the browser comes back without a network.
  for (const client of [a, b, c]) client.dispose();
  await run(100);
  fake.setFaults({ offline: true });
  const d = tab();
  await d.ready;
  await run(200);
  expect(d.getThread('t1')?.messages.map((m) => m.id)).toEqual(fake.thread('t1')!.messages.map((m) => m.id));
  expect(d.getSyncStatus('t1').state).not.toBe('synced');
});

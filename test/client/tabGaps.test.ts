import { createMemoryStorage, createSyncClient, type OutboxStorage, type SyncClient, type SyncConnector } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment, createFakeTabs, type FakeClock } from 'syncline/testing';
import { userMessage } from '../helpers.js';

/** The shared outbox storage, its reads of stored writes answered `delayMs` late (a busy IndexedDB). */
function slowReads(storage: OutboxStorage, clock: FakeClock, delayMs: number): OutboxStorage {
  const later = <T>(value: Promise<T>) => value.then((v) => new Promise<T>((resolve) => clock.setTimeout(() => resolve(v), delayMs)));
  return { ...storage, loadWrites: (namespace) => later(storage.loadWrites(namespace)) };
}

/** A leading tab, and a late one that cannot tell a leader exists and loads slowly. */
async function leaderAndLateTab() {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock });
  const shared = createMemoryStorage();
  const tabs = createFakeTabs();
  const pushers = new Set<string>();
  const connector: SyncConnector = {
    ...fake.connector,
    push(request, opts) {
      pushers.add(request.clientId);
      return fake.connector.push(request, opts);
    },
  };
  const open = (options: { slow: boolean; askLock: boolean }): SyncClient => {
    const env = createFakeEnvironment(clock, { tab: tabs.page() });
    // Without isLockHeld a tab cannot tell that a leader exists: it loads the outbox as a lone
    // client would, and learns of the leader while that load is still reading storage.
    if (!options.askLock) delete (env as { isLockHeld?: unknown }).isLockHeld;
    const client = createSyncClient({
      connector,
      clock,
      environment: env,
      storage: options.slow ? slowReads(shared, clock, 2_000) : shared,
      retry: { baseMs: 50, maxMs: 500 },
    });
    client.start();
    return client;
  };

  const leader = open({ slow: false, askLock: true });
  leader.watch('t1');
  await clock.advanceAsync(100);
  expect(fake.stats().openStreams).toBe(1);

  const late = open({ slow: true, askLock: false });
  late.watch('t1');
  return { clock, fake, pushers, leader, late };
}

describe('a tab told to follow while its first load is running', () => {
  it('keeps following when the load ends: one stream, one client pushing, its write applied once', async () => {
    const { clock, fake, pushers, leader, late } = await leaderAndLateTab();
    await clock.advanceAsync(100); // the leader answered; the late tab's load is still reading
    await clock.advanceAsync(3_000); // the load ends

    const write = late.mutate('t1', 'addMessage', userMessage('m1'));
    for (let t = 0; t < 5_000 && late.getPendingItems().length > 0; t += 10) await clock.advanceAsync(10);
    await write.settled;
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['m1']);
    // Still one connection for both tabs: the late tab did not start leading when its load ended.
    expect(fake.stats().openStreams).toBe(1);
    expect(pushers.size).toBe(1);
    expect(late.getThread('t1')?.messages.map((m) => m.id)).toEqual(['m1']);
    leader.dispose();
    late.dispose();
  });

  it('sends the writes made during that load through the leader, once each and in order', async () => {
    const { clock, fake, pushers, leader, late } = await leaderAndLateTab();
    const writes = ['m1', 'm2', 'm3'].map((id) => late.mutate('t1', 'addMessage', userMessage(id)));
    for (let t = 0; t < 5_000 && late.getPendingItems().length > 0; t += 10) await clock.advanceAsync(10);
    await Promise.all(writes.map((w) => w.settled));
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(pushers.size).toBe(1);
    expect(fake.stats().openStreams).toBe(1);
    leader.dispose();
    late.dispose();
  });
});

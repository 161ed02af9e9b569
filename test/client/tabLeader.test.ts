import { createMemoryStorage, createSyncClient, MutationError, type Mutator, type PendingWrite, type SyncClient, type SyncConnector, type Thread } from 'syncline';
import { FRAME_MS } from '../../src/platform/environment.js';
import {
  createFakeBackend,
  createFakeClock,
  createFakeEnvironment,
  createFakeTabs,
  type FakeEnvironment,
  type FakeTabPage,
} from 'syncline/testing';
import { userMessage } from '../helpers.js';

/** One fake browser: tabs share a clock, a backend, an outbox storage (IndexedDB), locks and a channel. */
function browser(options: { serverMutators?: Record<string, Mutator> } = {}) {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock, ...(options.serverMutators ? { mutators: options.serverMutators } : {}) });
  const storage = createMemoryStorage();
  const tabs = createFakeTabs();
  /** Who pulled, and which threads: the server should see one client. */
  const pulls: Array<{ clientId: string; threads: string[] }> = [];
  const connector: SyncConnector = {
    ...fake.connector,
    pull(request, opts) {
      pulls.push({ clientId: request.clientId, threads: Object.keys(request.threads) });
      return fake.connector.pull(request, opts);
    },
  };
  const open: Array<{ client: SyncClient; page: FakeTabPage; env: FakeEnvironment; rollbacks: PendingWrite[] }> = [];
  const tab = () => {
    const page = tabs.page();
    const env = createFakeEnvironment(clock, { tab: page });
    const rollbacks: PendingWrite[] = [];
    const client = createSyncClient({
      connector,
      clock,
      storage,
      environment: env,
      retry: { baseMs: 50, maxMs: 500 },
      onRollback: (write) => rollbacks.push(write),
    });
    client.start();
    const t = { client, page, env, rollbacks };
    open.push(t);
    return t;
  };
  const leaders = () => open.filter((t) => tabs.holder('syncline-leader:v1:default') === t.page.id);
  const until = async (done: () => boolean, maxMs = 30_000) => {
    for (let t = 0; t < maxMs && !done(); t += 10) await clock.advanceAsync(10);
    expect(done()).toBe(true);
  };
  const ids = (threadId: string) => fake.thread(threadId)?.messages.map((m) => m.id) ?? [];
  return { clock, fake, storage, tabs, pulls, tab, leaders, until, ids };
}

describe('tabs of one origin share one leader (fake Web Locks and BroadcastChannel)', () => {
  it('a lone tab whose first lock query answers after it took the lock leads: it does not follow itself', async () => {
    // Chromium answers `navigator.locks.query()` later than a free lock is granted: the query then
    // sees this tab's own lock. Seen on a reload of the useChat demo (StrictMode starts the client
    // twice): the page followed nobody, stayed `stopped` and never synced.
    const clock = createFakeClock();
    const fake = createFakeBackend({ clock });
    const page = createFakeTabs().page();
    const lateQuery: FakeTabPage = { ...page, isLockHeld: (name) => new Promise((r) => setTimeout(r, 0)).then(() => page.isLockHeld(name)) };
    const env = createFakeEnvironment(clock, { tab: lateQuery });
    const client = createSyncClient({ connector: fake.connector, clock, storage: createMemoryStorage(), environment: env });
    client.start();
    client.stop(); // StrictMode: mount, unmount, mount
    client.start();
    client.watch('t1');
    fake.backend.serverWrite('t1', 'addMessage', userMessage('m1'));
    for (let t = 0; t < 2000 && client.getHealthStatus().state !== 'live'; t += 10) await clock.advanceAsync(10);
    expect(client.getHealthStatus().state).toBe('live');
    await clock.advanceAsync(100);
    expect(client.getThread('t1')?.messages.map((m) => m.id)).toEqual(['m1']);
    client.dispose();
  });

  it('elects one leader: one stream, one client pulling, every tab sees every thread it watches', async () => {
    const b = browser();
    const tabs = Array.from({ length: 4 }, () => b.tab());
    tabs.forEach((t, i) => t.client.watch(`t${i}`));
    await b.clock.advanceAsync(100);
    expect(b.leaders()).toHaveLength(1);
    expect(b.fake.stats().openStreams).toBe(1);
    expect(new Set(b.pulls.map((p) => p.clientId)).size).toBe(1);
    // The leader pulls the union of what the tabs watch.
    expect(new Set(b.pulls.flatMap((p) => p.threads))).toEqual(new Set(['t0', 't1', 't2', 't3']));

    // A write made in each tab is acknowledged; each tab shows the truth about its own writes.
    const writes = tabs.map((t, i) => t.client.mutate(`t${i}`, 'addMessage', userMessage(`m${i}`)));
    tabs.forEach((t, i) => expect(t.client.getSyncStatus(`t${i}`).pendingCount).toBe(1));
    expect(tabs[1]!.client.getPendingItems()).toEqual([writes[1]]); // only its own
    await b.until(() => tabs.every((t) => t.client.getPendingItems().length === 0));
    await Promise.all(writes.map((w) => w.settled));
    tabs.forEach((t, i) => {
      expect(b.ids(`t${i}`)).toEqual([`m${i}`]);
      expect(t.client.getSyncStatus(`t${i}`).state).toBe('synced');
      expect(t.client.getThread(`t${i}`)?.messages.map((m) => m.id)).toEqual([`m${i}`]);
      expect(t.client.getHealthStatus()).toMatchObject({ state: 'live', degraded: false });
    });
    expect(b.fake.stats().openStreams).toBe(1);
    expect(new Set(b.pulls.map((p) => p.clientId)).size).toBe(1);
    // Every write went out under its own tab's clientId, with that tab's seq: nothing renumbered.
    expect(new Set(b.fake.backend.applied.map((a) => a.clientId)).size).toBe(4);
  });

  it('a follower\'s badge waits for the server: pending until acknowledged, then synced', async () => {
    const b = browser();
    const leader = b.tab();
    await b.clock.advanceAsync(50);
    const follower = b.tab();
    follower.client.watch('t1');
    await b.clock.advanceAsync(50);
    b.fake.setFaults({ blockPushes: true });
    const write = follower.client.mutate('t1', 'addMessage', userMessage('f1'));
    await b.clock.advanceAsync(2000);
    // Stored in the shared outbox before the leader heard of it, and not acknowledged yet.
    expect((await b.storage.loadWrites('default')).map((w) => w.id)).toContain(write.id);
    expect(follower.client.getSyncStatus('t1').state).not.toBe('synced');
    expect(follower.client.getPendingItems()[0]?.lastError).not.toBeNull();
    expect(leader.client.getPendingItems()).toEqual([]);
    b.fake.setFaults({});
    await b.until(() => follower.client.getSyncStatus('t1').state === 'synced');
    expect(b.ids('t1')).toEqual(['f1']);
    expect(await b.storage.loadWrites('default')).toEqual([]);
  });

  it('a follower discards a write still queued: the leader takes it out; one being sent stays and is applied', async () => {
    const b = browser();
    const leader = b.tab();
    await b.clock.advanceAsync(50);
    const follower = b.tab();
    follower.client.watch('t1');
    await b.clock.advanceAsync(50);
    b.fake.setFaults({ latencyMs: 3000 });
    const sending = follower.client.mutate('t1', 'addMessage', userMessage('m1'));
    await b.clock.advanceAsync(200); // the leader is sending it
    const queued = follower.client.mutate('t1', 'addMessage', userMessage('m2'));
    await b.clock.advanceAsync(50); // announced: queued behind the push in flight
    const rejected = expect(queued.settled).rejects.toMatchObject({ kind: 'rejected' });
    follower.client.discard(queued.id);
    follower.client.discard(sending.id); // may be applied already: stays
    await b.clock.advanceAsync(50);
    expect(follower.client.getPendingItems().map((w) => w.id)).toEqual([sending.id]);
    expect(follower.client.getThread('t1')?.messages.map((m) => m.id)).toEqual(['m1']);
    await rejected;
    b.fake.setFaults({});
    await b.until(() => follower.client.getPendingItems().length === 0);
    await sending.settled;
    await b.clock.advanceAsync(1000);
    expect(b.ids('t1')).toEqual(['m1']);
    expect(leader.client.getThread('t1')?.messages.map((m) => m.id)).toEqual(['m1']);
    expect(await b.storage.loadWrites('default')).toEqual([]);
  });

  it('a follower\'s rejected write rolls back in every tab, with onRollback once, in the tab that made it', async () => {
    const b = browser({
      serverMutators: {
        editMessage(draft: Thread, args: { messageId: string; content: string }) {
          if (args.content.includes('FORBIDDEN')) throw new MutationError('forbidden', 'That edit is not allowed.');
          draft.messages.find((m) => m.id === args.messageId)!.content = args.content;
        },
      },
    });
    const tabs = [b.tab(), b.tab(), b.tab()];
    for (const t of tabs) t.client.watch('t1');
    await b.clock.advanceAsync(50);
    tabs[0]!.client.mutate('t1', 'addMessage', userMessage('m1', 'hello'));
    await b.until(() => tabs.every((t) => t.client.getThread('t1')?.messages[0]?.content === 'hello'));
    const follower = tabs.find((t) => !b.leaders().includes(t))!;
    const bad = follower.client.mutate('t1', 'editMessage', { messageId: 'm1', content: 'FORBIDDEN' });
    expect(follower.client.getThread('t1')?.messages[0]?.content).toBe('FORBIDDEN');
    await b.until(() => follower.client.getPendingItems()[0]?.state === 'failed');
    for (const t of tabs) expect(t.client.getThread('t1')?.messages[0]?.content).toBe('hello');
    expect(follower.rollbacks.map((w) => w.id)).toEqual([bad.id]);
    expect(tabs.flatMap((t) => t.rollbacks)).toHaveLength(1);
    await expect(bad.settled).rejects.toMatchObject({ kind: 'rejected', code: 'forbidden' });
    expect(follower.client.getSyncStatus('t1').state).toBe('error');
    // The follower discards it: gone from its list and from the shared storage.
    follower.client.discard(bad.id);
    await b.clock.advanceAsync(10);
    expect(follower.client.getPendingItems()).toEqual([]);
    expect(await b.storage.loadWrites('default')).toEqual([]);
  });

  it('hand-off: the next tab leads when the leader crashes mid-push; nothing lost, nothing applied twice, the zombie is fenced', async () => {
    const b = browser();
    const tabs = [b.tab(), b.tab(), b.tab()];
    for (const t of tabs) t.client.watch('t1');
    await b.clock.advanceAsync(50);
    const [old] = b.leaders();
    const followers = tabs.filter((t) => t !== old);
    // Pushes hang: the leader has every follower's writes in flight when its page dies.
    b.fake.setFaults({ latencyMs: 5000 });
    const made: string[][] = followers.map(() => []);
    for (let i = 0; i < 3; i++) {
      followers.forEach((t, k) => {
        const id = `f${k}-${i}`;
        made[k]!.push(id);
        t.client.mutate('t1', 'addMessage', userMessage(id));
      });
      await b.clock.advanceAsync(150);
    }
    expect(b.fake.stats().requests.push).toBeGreaterThan(0);
    old!.page.crash(); // its locks are freed; its code (a zombie) is not told
    b.fake.setFaults({}); // the zombie's pushes still hang; the new leader's go through
    await b.clock.advanceAsync(20);
    expect(b.leaders()).toHaveLength(1);
    // Writes made meanwhile go to the new leader.
    followers.forEach((t, k) => {
      made[k]!.push(`f${k}-late`);
      t.client.mutate('t1', 'addMessage', userMessage(`f${k}-late`));
    });
    await b.until(() => followers.every((t) => t.client.getPendingItems().length === 0), 60_000);
    const onServer = b.ids('t1');
    for (const ids of made) {
      expect(onServer.filter((id) => ids.includes(id))).toEqual(ids); // each tab's in its order
    }
    expect(onServer).toHaveLength(8);
    expect(b.fake.backend.applied.filter((a) => a.threadId === 't1')).toHaveLength(8);
    // The zombie's push, answered late (after the new leader's, under a newer epoch), is fenced.
    await b.clock.advanceAsync(10_000);
    expect(b.fake.backend.stats().fenced).toBeGreaterThan(0);
    expect(old!.client.getHealthStatus().degradedReason).toBe('fenced');
    expect(b.fake.backend.applied.filter((a) => a.threadId === 't1')).toHaveLength(8);
  });

  it('a frozen leader leaves the election: the next tab leads at once; woken, it follows', async () => {
    const b = browser();
    const tabs = [b.tab(), b.tab(), b.tab()];
    for (const t of tabs) t.client.watch('t1');
    await b.clock.advanceAsync(50);
    const [old] = b.leaders();
    old!.env.emit('freeze');
    await b.clock.advanceAsync(10);
    expect(b.leaders()).toHaveLength(1);
    expect(b.leaders()[0]).not.toBe(old);
    expect(b.fake.stats().openStreams).toBe(1);
    old!.env.emit('resume');
    await b.clock.advanceAsync(10);
    expect(b.leaders()).not.toContain(old);
    tabs.forEach((t, i) => t.client.mutate('t1', 'addMessage', userMessage(`m${i}`)));
    await b.until(() => tabs.every((t) => t.client.getPendingItems().length === 0));
    expect([...b.ids('t1')].sort()).toEqual(['m0', 'm1', 'm2']);
    expect(b.fake.backend.stats().fenced).toBe(0);
    expect(b.fake.stats().openStreams).toBe(1);
    expect(old!.client.getHealthStatus()).toMatchObject({ state: 'live', degraded: false });
  });

  it('what a crashed follower watched is dropped at the leader\'s next pull', async () => {
    const b = browser();
    b.tab();
    await b.clock.advanceAsync(50);
    const follower = b.tab();
    follower.client.watch('x');
    await b.clock.advanceAsync(50);
    expect(b.pulls.at(-1)?.threads).toContain('x');
    follower.page.crash();
    b.leaders()[0]!.client.watch('y'); // a pull (which notices the crash), then another
    await b.clock.advanceAsync(50);
    b.leaders()[0]!.client.watch('z');
    await b.clock.advanceAsync(50);
    expect(b.pulls.at(-1)?.threads).toEqual(['y', 'z']);
  });

  it('a reply streamed to the leader reaches every tab, each at most one store commit per frame', async () => {
    const b = browser();
    const tabs = [b.tab(), b.tab(), b.tab()];
    for (const t of tabs) t.client.watch('t1');
    await b.clock.advanceAsync(50);
    tabs[1]!.client.mutate('t1', 'addMessage', userMessage('q', 'question'));
    await b.until(() => tabs.every((t) => t.client.getThread('t1')?.messages.length === 1));
    const commits = tabs.map(() => 0);
    const unsubscribe = tabs.map((t, i) => t.client.store.subscribe(() => commits[i]!++));
    const started = b.clock.now();
    b.fake.reply('t1', { tokens: 1000, intervalMs: 1 });
    await b.until(() => {
      const server = b.fake.thread('t1')!;
      return server.messages[1]?.status === 'done' && tabs.every((t) => t.client.getThread('t1')?.v === server.v);
    });
    for (const u of unsubscribe) u();
    const frames = Math.ceil((b.clock.now() - started) / FRAME_MS);
    for (const t of tabs) expect(t.client.getThread('t1')).toEqual(b.fake.thread('t1'));
    for (const n of commits) expect(n).toBeLessThanOrEqual(frames);
  });

  it('a thread unwatched in every tab is no longer pulled', async () => {
    const b = browser();
    const tabs = [b.tab(), b.tab()];
    await b.clock.advanceAsync(50);
    const follower = tabs.find((t) => !b.leaders().includes(t))!;
    const unwatch = follower.client.watch('x');
    await b.clock.advanceAsync(50);
    expect(b.pulls.at(-1)?.threads).toContain('x');
    unwatch();
    await b.clock.advanceAsync(50);
    b.pulls.length = 0;
    b.leaders()[0]!.client.watch('y');
    await b.clock.advanceAsync(50);
    expect(b.pulls.flatMap((p) => p.threads)).not.toContain('x');
  });

  it('without a channel, or with tabs: \'alone\', each client keeps its own stream', async () => {
    const b = browser();
    const clock = b.clock;
    const alone = [0, 1].map(() => {
      const c = createSyncClient({ connector: b.fake.connector, clock, storage: b.storage, tabs: 'alone', environment: createFakeEnvironment(clock, { tab: b.tabs.page() }) });
      c.start();
      return c;
    });
    const noChannel = createSyncClient({ connector: b.fake.connector, clock, storage: createMemoryStorage(), environment: createFakeEnvironment(clock) });
    noChannel.start();
    await clock.advanceAsync(100);
    expect(b.fake.stats().openStreams).toBe(3);
    for (const c of [...alone, noChannel]) c.dispose();
  });
});

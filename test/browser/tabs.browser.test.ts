import { createSyncClient, type SyncClient } from 'syncline';
import { createFakeBackend } from 'syncline/testing';

// Real Web Locks and real IndexedDB: each client stands for a tab of one browser profile.
describe('tabs sharing one IndexedDB outbox in Chromium', () => {
  it('alone: a live tab keeps its writes; a closed tab\'s writes are resumed once', async () => {
    const fake = createFakeBackend({ faults: { blockPushes: true } });
    const namespace = `tabs-${crypto.randomUUID()}`;
    const tab = (): SyncClient => {
      const c = createSyncClient({ connector: fake.connector, namespace, tabs: 'alone', retry: { baseMs: 20, maxMs: 100 } });
      c.start();
      return c;
    };
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 300 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(done()).toBe(true);
    };

    const a = tab();
    await a.ready;
    a.mutate('t1', 'addMessage', { message: { id: 'a0', role: 'user', content: 'a0', createdAt: 0 } });
    // Sent (so already stored) and refused by the server.
    await until(() => a.getPendingItems()[0]?.lastError != null);

    const b = tab();
    await b.ready;
    expect(b.getPendingItems()).toEqual([]);
    fake.setFaults({});
    await until(() => a.getPendingItems().length === 0);
    expect(fake.backend.stats().fenced).toBe(0);

    fake.setFaults({ blockPushes: true });
    a.mutate('t1', 'addMessage', { message: { id: 'a1', role: 'user', content: 'a1', createdAt: 1 } });
    await until(() => a.getPendingItems()[0]?.lastError != null);
    a.dispose(); // the tab is closed: its lock is released
    fake.setFaults({});
    const c = tab();
    await c.ready;
    expect(c.getPendingItems()).toHaveLength(1);
    await until(() => c.getPendingItems().length === 0);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['a0', 'a1']);
    expect(fake.backend.applied).toHaveLength(2);
    b.dispose();
    c.dispose();
    fake.close();
  });

  it('shared (real Web Locks, BroadcastChannel, IndexedDB): one leader sends every tab\'s writes; the next one takes over', async () => {
    const fake = createFakeBackend();
    const namespace = `shared-${crypto.randomUUID()}`;
    const tab = (): SyncClient => {
      const c = createSyncClient({ connector: fake.connector, namespace, retry: { baseMs: 20, maxMs: 100 } });
      c.start();
      c.watch('t1');
      return c;
    };
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 300 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(done()).toBe(true);
    };
    const ids = () => fake.thread('t1')?.messages.map((m) => m.id) ?? [];

    const a = tab();
    await a.ready;
    await until(() => fake.stats().openStreams === 1);
    const b = tab();
    const c = tab();
    await Promise.all([b.ready, c.ready]);
    const w = b.mutate('t1', 'addMessage', { message: { id: 'b0', role: 'user', content: 'b0', createdAt: 0 } });
    await w.settled;
    expect(ids()).toEqual(['b0']);
    expect(a.getPendingItems()).toEqual([]); // b's write, sent by a, shown by b
    await until(() => c.getThread('t1')?.messages.length === 1); // the thread reaches every tab
    expect(fake.stats().openStreams).toBe(1);

    a.dispose(); // the leader's page goes: b or c takes the lock and opens the one stream
    b.mutate('t1', 'addMessage', { message: { id: 'b1', role: 'user', content: 'b1', createdAt: 1 } });
    c.mutate('t1', 'addMessage', { message: { id: 'c1', role: 'user', content: 'c1', createdAt: 1 } });
    await until(() => b.getPendingItems().length + c.getPendingItems().length === 0);
    expect([...ids()].sort()).toEqual(['b0', 'b1', 'c1']);
    expect(fake.backend.applied).toHaveLength(3);
    await until(() => fake.stats().openStreams === 1);
    b.dispose();
    c.dispose();
    fake.close();
  });

  it('shared: a follower discards its queued write through the leader; the one being sent is applied', async () => {
    const fake = createFakeBackend();
    const namespace = `discard-${crypto.randomUUID()}`;
    const tab = (): SyncClient => {
      const c = createSyncClient({ connector: fake.connector, namespace, retry: { baseMs: 20, maxMs: 100 } });
      c.start();
      c.watch('t1');
      return c;
    };
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(done()).toBe(true);
    };

    const leader = tab();
    await leader.ready;
    await until(() => fake.stats().openStreams === 1);
    const follower = tab();
    await follower.ready;
    fake.setFaults({ latencyMs: 1500 }); // the first push hangs a while: the next write waits behind it
    const sending = follower.mutate('t1', 'addMessage', { message: { id: 'f1', role: 'user', content: 'f1', createdAt: 0 } });
    await until(() => follower.getPendingItems()[0]?.state === 'sending');
    const queued = follower.mutate('t1', 'addMessage', { message: { id: 'f2', role: 'user', content: 'f2', createdAt: 1 } });
    const rejected = expect(queued.settled).rejects.toMatchObject({ kind: 'rejected' });
    await new Promise((r) => setTimeout(r, 100)); // stored and announced
    follower.discard(queued.id);
    follower.discard(sending.id); // being sent: it may be applied already, so it stays
    await rejected;
    expect(follower.getPendingItems().map((w) => w.id)).toEqual([sending.id]);
    fake.setFaults({});
    await sending.settled;
    await until(() => follower.getThread('t1')?.messages.length === 1);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['f1']);
    expect(fake.backend.applied).toHaveLength(1);
    leader.dispose();
    follower.dispose();
    fake.close();
  });
});

import { createMemoryStorage, type PendingWrite, type SyncError } from 'syncline';
import { createFakeBackend, createFakeClock, type Faults } from 'syncline/testing';
import { createOutbox, type OutboxListener, type OutboxRelay, type RelayReport } from '../../src/outbox/outbox.js';
import type { StoredWrite } from '../../src/platform/storage.js';

// The outbox's side of tab leadership (src/outbox/outboxTabs.ts), driven as the tab link drives
// it: a relay that says whether this tab follows and records what it tells the other tabs.

function setup(options: { following?: boolean; faults?: Faults } = {}) {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock, ...(options.faults ? { faults: options.faults } : {}) });
  const storage = createMemoryStorage();
  const told = { reports: [] as RelayReport[], announced: [] as string[], withdrawn: [] as string[] };
  let following = options.following ?? false;
  const relay: OutboxRelay = {
    shared: true,
    following: () => following,
    announce: (write) => void told.announced.push(write.id),
    withdraw: (id) => void told.withdrawn.push(id),
    report: (report) => void told.reports.push(report),
  };
  const heard = { acked: [] as string[], failed: [] as string[], discarded: [] as string[] };
  const ids = (writes: PendingWrite[]) => writes.map((w) => w.id);
  const listener: OutboxListener = {
    changed: () => {},
    acked: (items) => void heard.acked.push(...ids(items.map((i) => i.write))),
    failed: (items: Array<{ write: PendingWrite; error: SyncError }>) => void heard.failed.push(...ids(items.map((i) => i.write))),
    discarded: (writes) => void heard.discarded.push(...ids(writes)),
    pushStarted: () => {},
    pushEnded: () => {},
    storageChanged: () => {},
  };
  const { outbox, tabs } = createOutbox({
    connector: fake.connector,
    storage,
    namespace: 'test',
    freshClientId: 'me',
    clock,
    batch: { windowMs: 100, maxItems: 50, maxBytes: 256 * 1024 },
    retry: { baseMs: 100, maxMs: 1000 },
    maxPending: 100,
    relay,
    listener,
  });
  const follow = () => {
    following = true;
    return tabs.followed();
  };
  return { clock, fake, storage, outbox, tabs, told, heard, follow };
}

/** Another tab's write, as its `hi` or `write` message carries it. */
const otherTabs = (id: string, overrides: Partial<StoredWrite> = {}): StoredWrite => ({
  id,
  clientId: 'other-tab',
  seq: 1,
  threadId: 't1',
  name: 'setTitle',
  args: { title: id },
  createdAt: 0,
  attempts: 0,
  state: 'queued',
  lastError: null,
  ...overrides,
});

describe('the outbox as the tabs leader', () => {
  it("sends another tab's write under that tab's clientId, keeps it out of this tab's list, and reports its ack", async () => {
    const { clock, fake, outbox, tabs, told, heard } = setup();
    await outbox.load();
    outbox.start();
    tabs.take(otherTabs('w1'));
    tabs.take(otherTabs('w1')); // announced twice (hello and write): taken once
    expect(outbox.list()).toEqual([]);
    await clock.advanceAsync(150);
    expect(fake.backend.applied.map((m) => [m.id, m.clientId])).toEqual([['w1', 'other-tab']]);
    expect(told.reports).toContainEqual({ t: 'state', writes: [['w1', 'sending', 1, null]] });
    expect(told.reports).toContainEqual({ t: 'acked', writes: [['w1', 1]] });
    // The ack is that tab's to show: this tab's listener hears none of it.
    expect(heard.acked).toEqual([]);
  });

  it("tells the other tab of its refused write and leaves it to that tab (not this tab's failure)", async () => {
    const { clock, outbox, tabs, told, heard } = setup();
    await outbox.load();
    outbox.start();
    tabs.take(otherTabs('bad', { name: 'editMessage', args: { messageId: 'missing', content: 'x' } }));
    await clock.advanceAsync(150);
    expect(told.reports.find((r) => r.t === 'failed')).toMatchObject({ t: 'failed', writes: [['bad', { code: 'not-found' }]] });
    expect(heard.failed).toEqual([]);
    expect(outbox.list()).toEqual([]);
  });

  it("takes out a follower's queued write it withdraws, and says so; one being sent stays", async () => {
    const { clock, fake, outbox, tabs, told, heard } = setup({ faults: { latencyMs: 1000 } });
    await outbox.load();
    outbox.start();
    tabs.take(otherTabs('waits'));
    tabs.withdraw('waits');
    expect(told.reports).toContainEqual({ t: 'discarded', writes: ['waits'] });
    expect(heard.discarded).toEqual(['waits']);

    tabs.take(otherTabs('sent', { seq: 2 }));
    await clock.advanceAsync(150); // the push is out, its answer 1 s away
    tabs.withdraw('sent');
    await clock.advanceAsync(1500);
    expect(told.reports.filter((r) => r.t === 'discarded')).toHaveLength(1);
    expect(fake.backend.applied.map((m) => m.id)).toEqual(['sent']);
  });

  it("refuses a failed write another tab announces: its failure is that tab's", async () => {
    const { clock, fake, outbox, tabs } = setup();
    await outbox.load();
    outbox.start();
    tabs.take(otherTabs('failed-there', { state: 'failed' }));
    await clock.advanceAsync(500);
    expect(fake.stats().requests.push).toBe(0);
  });
});

describe('the outbox as a follower', () => {
  it("following drops the other tabs' writes it held as leader (the new leader finds them in storage)", async () => {
    const { outbox, tabs, follow } = setup();
    await outbox.load();
    tabs.take(otherTabs('theirs'));
    const mine = outbox.enqueue('t1', 'setTitle', { title: 'mine' });
    expect(follow().map((w) => w.id)).toEqual(['theirs']);
    expect(outbox.list().map((w) => w.id)).toEqual([mine.id]);
  });

  it('announces each write once it is stored, never sends it, and asks the leader to take out a discarded one', async () => {
    const { clock, fake, storage, outbox, told, follow } = setup();
    await outbox.load();
    follow(); // a follower's outbox is never started: the leader's sends (src/client/tabHost.ts)
    const w = outbox.enqueue('t1', 'setTitle', { title: 'x' });
    await clock.advanceAsync(500);
    expect(told.announced).toEqual([w.id]);
    expect((await storage.loadWrites('test')).map((s) => s.id)).toEqual([w.id]);
    expect(fake.stats().requests.push).toBe(0);

    outbox.discard(w.id);
    await clock.advanceAsync(0);
    expect(told.withdrawn).toEqual([w.id]);
    expect(outbox.list().map((x) => x.id)).toEqual([w.id]); // until the leader says it took it out
  });

  it("hears the leader's reports on its own writes: states, acks, refusals, discards", async () => {
    const { outbox, tabs, heard, follow } = setup();
    await outbox.load();
    follow();
    const acked = outbox.enqueue('t1', 'setTitle', { title: 'a' });
    const refused = outbox.enqueue('t2', 'setTitle', { title: 'b' });
    const dropped = outbox.enqueue('t3', 'setTitle', { title: 'c' });
    tabs.hear({ t: 'state', writes: [[acked.id, 'sending', 1, null]] });
    expect(outbox.get(acked.id)).toMatchObject({ state: 'sending', attempts: 1 });
    tabs.hear({ t: 'acked', writes: [[acked.id, 3]] });
    await expect(acked.settled).resolves.toBeUndefined();
    tabs.hear({ t: 'failed', writes: [[refused.id, { kind: 'rejected', message: 'No.', code: 'not-found' }]] });
    await expect(refused.settled).rejects.toMatchObject({ kind: 'rejected', code: 'not-found' });
    tabs.hear({ t: 'discarded', writes: [dropped.id] });
    expect(heard).toEqual({ acked: [acked.id], failed: [refused.id], discarded: [dropped.id] });
    expect(outbox.list().map((w) => [w.id, w.state])).toEqual([[refused.id, 'failed']]);
    // Reports about writes it does not hold (another follower's) change nothing.
    tabs.hear({ t: 'acked', writes: [['someone-else', 1]] });
    expect(heard.acked).toEqual([acked.id]);
  });

  it('ignores reports while it does not follow (a leader hears none about its own writes)', async () => {
    const { outbox, tabs, heard } = setup();
    await outbox.load();
    const w = outbox.enqueue('t1', 'setTitle', { title: 'a' });
    tabs.hear({ t: 'acked', writes: [[w.id, 1]] });
    expect(heard.acked).toEqual([]);
    expect(outbox.list().map((x) => x.id)).toEqual([w.id]);
  });

  it('hands its unacknowledged writes to a new leader, the ones the old leader was sending queued again', async () => {
    const { outbox, tabs, follow } = setup();
    await outbox.load();
    follow();
    const a = outbox.enqueue('t1', 'setTitle', { title: 'a' });
    const b = outbox.enqueue('t2', 'setTitle', { title: 'b' });
    tabs.hear({ t: 'state', writes: [[a.id, 'sending', 1, null]] });
    expect(tabs.handOver().map((w) => [w.id, w.state, w.clientId])).toEqual([
      [a.id, 'queued', 'me'],
      [b.id, 'queued', 'me'],
    ]);
    expect(outbox.get(a.id)?.state).toBe('queued');
  });
});

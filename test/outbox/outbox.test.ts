import { createMemoryStorage, type OutboxStorage, type PendingWrite, type SyncError } from 'syncline';
import { createFakeBackend, createFakeClock, type Faults } from 'syncline/testing';
import { createOutbox } from '../../src/outbox/outbox.js';
import type { OutboxListener } from '../../src/outbox/outboxOptions.js';

// The outbox on its own: what it tells its listener is the whole of its contract with the client.

type Event =
  | ['acked', string[]]
  | ['failed', string[], string | undefined]
  | ['discarded', string[]]
  | ['pushStarted', string[]]
  | ['pushEnded', string[], string | null, boolean];

function setup(options: { faults?: Faults; storage?: OutboxStorage } = {}) {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock, ...(options.faults ? { faults: options.faults } : {}) });
  const events: Event[] = [];
  let changes = 0;
  const ids = (writes: PendingWrite[]) => writes.map((w) => w.id);
  const listener: OutboxListener = {
    changed: () => void changes++,
    acked: (items) => void events.push(['acked', ids(items.map((i) => i.write))]),
    failed: (items) => void events.push(['failed', ids(items.map((i) => i.write)), items[0]?.error.code]),
    discarded: (writes) => void events.push(['discarded', ids(writes)]),
    pushStarted: (threads) => void events.push(['pushStarted', [...threads]]),
    pushEnded: (threads, error: SyncError | null, nextRetryAt) =>
      void events.push(['pushEnded', [...threads], error?.kind ?? null, nextRetryAt !== null]),
    storageChanged: () => {},
  };
  const { outbox } = createOutbox({
    connector: fake.connector,
    storage: options.storage ?? createMemoryStorage(),
    namespace: 'test',
    clock,
    batch: { windowMs: 100, maxItems: 50, maxBytes: 256 * 1024 },
    retry: { baseMs: 100, maxMs: 1000 },
    maxPending: 100,
    listener,
  });
  return { clock, fake, outbox, events, changes: () => changes };
}

const setTitle = (title: string) => ({ title });

describe('createOutbox, through its listener', () => {
  it('batches the writes of one window into one push and reports their acks in order', async () => {
    const { clock, fake, outbox, events } = setup();
    await outbox.load();
    outbox.start();
    const a = outbox.enqueue('t1', 'setTitle', setTitle('a'));
    const b = outbox.enqueue('t2', 'addMessage', { message: { id: 'm1', role: 'user', content: 'x', createdAt: 1 } });
    expect(events).toEqual([]); // the batch window is still open
    await clock.advanceAsync(150);
    expect(events).toEqual([
      ['pushStarted', ['t1', 't2']],
      ['acked', [a.id, b.id]],
      ['pushEnded', ['t1', 't2'], null, false],
    ]);
    expect(fake.stats().requests.push).toBe(1);
    expect(outbox.list()).toEqual([]);
    await expect(a.settled).resolves.toBeUndefined();
  });

  it('reports a refused write as failed, keeps it listed, and acks the others', async () => {
    const { clock, outbox, events } = setup();
    await outbox.load();
    outbox.start();
    const bad = outbox.enqueue('t1', 'editMessage', { messageId: 'missing', content: 'x' });
    const good = outbox.enqueue('t1', 'setTitle', setTitle('ok'));
    await clock.advanceAsync(150);
    expect(events.filter(([kind]) => kind === 'failed' || kind === 'acked')).toEqual([
      ['acked', [good.id]],
      ['failed', [bad.id], 'not-found'],
    ]);
    expect(outbox.list().map((w) => [w.id, w.state])).toEqual([[bad.id, 'failed']]);
    await expect(bad.settled).rejects.toMatchObject({ kind: 'rejected', code: 'not-found' });

    // A person discards it: the listener hears it, and the outbox forgets it.
    outbox.discard(bad.id);
    expect(events.at(-1)).toEqual(['discarded', [bad.id]]);
    expect(outbox.list()).toEqual([]);
  });

  it('retries a push that failed on the network, with a backoff it reports, until it lands once', async () => {
    const { clock, fake, outbox, events } = setup({ faults: { offline: true } });
    await outbox.load();
    outbox.start();
    const w = outbox.enqueue('t1', 'setTitle', setTitle('later'));
    await clock.advanceAsync(150);
    expect(events).toContainEqual(['pushEnded', ['t1'], 'network', true]);
    expect(events.some(([kind]) => kind === 'acked')).toBe(false);
    fake.setFaults({});
    await clock.advanceAsync(2000);
    expect(events.filter(([kind]) => kind === 'acked')).toEqual([['acked', [w.id]]]);
    expect(events.at(-1)).toEqual(['pushEnded', ['t1'], null, false]);
    expect(fake.backend.applied.filter((m) => m.id === w.id)).toHaveLength(1);
  });

  it('coalesces a queued setTitle into the one before it: one write, the last title', async () => {
    const { clock, fake, outbox, events } = setup();
    await outbox.load();
    outbox.start();
    const first = outbox.enqueue('t1', 'setTitle', setTitle('one'));
    const second = outbox.enqueue('t1', 'setTitle', setTitle('two'));
    expect(second.id).toBe(first.id);
    expect(outbox.list().map((w) => w.args)).toEqual([{ title: 'two' }]);
    await clock.advanceAsync(150);
    expect(events.filter(([kind]) => kind === 'acked')).toEqual([['acked', [first.id]]]);
    expect(fake.thread('t1')?.title).toBe('two');
  });

  it('sends nothing before load or start, and what was stored goes out after a reload', async () => {
    const storage = createMemoryStorage();
    const one = setup({ storage });
    await one.outbox.load();
    const w = one.outbox.enqueue('t1', 'setTitle', setTitle('stored'));
    await one.clock.advanceAsync(500);
    expect(one.events).toEqual([]); // not started
    one.outbox.dispose();
    await expect(w.settled).rejects.toMatchObject({ code: 'disposed' });

    const two = setup({ storage });
    await two.outbox.load();
    expect(two.outbox.list().map((x) => x.id)).toEqual([w.id]);
    two.outbox.start();
    await two.clock.advanceAsync(150);
    expect(two.events.filter(([kind]) => kind === 'acked')).toEqual([['acked', [w.id]]]);
  });

  it('flush resolves with the count acknowledged once every write queued before it settled', async () => {
    const { clock, outbox, changes } = setup();
    await outbox.load();
    outbox.start();
    outbox.enqueue('t1', 'setTitle', setTitle('a'));
    outbox.enqueue('t1', 'editMessage', { messageId: 'missing', content: 'x' });
    const flushed = outbox.flush();
    const before = changes();
    await clock.advanceAsync(150);
    await expect(flushed).resolves.toBe(1);
    expect(changes()).toBeGreaterThan(before);
  });
});

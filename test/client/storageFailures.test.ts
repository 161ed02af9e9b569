import { createMemoryStorage, type OutboxStorage } from 'syncline';
import { createFullStorage } from 'syncline/testing';
import { rig, userMessage } from '../helpers.js';

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** A memory storage whose writes can be switched to refuse (reject, or throw at once). */
function flakyStorage() {
  const inner = createMemoryStorage();
  const mode = { refuse: 'none' as 'none' | 'reject' | 'throw' };
  const guard = <A extends unknown[]>(call: (...args: A) => Promise<void>) => (...args: A) => {
    if (mode.refuse === 'throw') throw quota();
    if (mode.refuse === 'reject') return Promise.reject(quota());
    return call(...args);
  };
  const storage: OutboxStorage = {
    loadMeta: (ns) => inner.loadMeta(ns),
    loadWrites: (ns) => inner.loadWrites(ns),
    saveMeta: guard((ns, meta) => inner.saveMeta(ns, meta)),
    putWrites: guard((ns, writes) => inner.putWrites(ns, writes)),
    deleteWrites: guard((ns, ids) => inner.deleteWrites(ns, ids)),
  };
  return { storage, mode };
}

describe('a storage that refuses writes is shown, and the writes are still sent', () => {
  beforeEach(() => vi.spyOn(console, 'error').mockImplementation(() => {}));
  afterEach(() => vi.restoreAllMocks());

  it.each(['reject', 'throw'] as const)('putWrites that %s: degraded "storage", the write says so, then it is acked', async (how) => {
    const { storage, mode } = flakyStorage();
    const { client, clock, fake } = await rig({ storage }, { faults: { latencyMs: 1000 } });
    await clock.advanceAsync(100);
    expect(client.getHealthStatus()).toMatchObject({ degraded: false, degradedReason: null });
    mode.refuse = how;
    const write = client.mutate('t1', 'addMessage', userMessage('m1'));
    expect(write.state).toBe('queued');
    await clock.advanceAsync(10);
    expect(client.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'storage' });
    expect(client.getPendingItems()[0]).toMatchObject({ id: write.id, state: expect.any(String), lastError: { kind: 'storage' } });
    expect(client.getPendingItems()[0]!.lastError!.message).toContain('closing the page now would lose them');
    expect(client.getSyncStatus('t1')).toMatchObject({ pendingCount: 1 });

    const flushed = client.flushPending();
    await clock.advanceAsync(2000);
    expect(await flushed).toBe(1);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['m1']);

    // Storing works again: the next write that is stored clears the reason.
    mode.refuse = 'none';
    client.mutate('t1', 'addMessage', userMessage('m2'));
    await clock.advanceAsync(10);
    expect(client.getHealthStatus()).toMatchObject({ degradedReason: null, degraded: false });
    expect(client.getPendingItems()[0]!.lastError).toBeNull();
    await clock.advanceAsync(2000);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  it('a saveMeta that throws at once: ready resolves, health says storage, writes are sent', async () => {
    const storage = createFullStorage({ throwSync: true });
    const { client, clock, fake } = await rig({ storage });
    expect(client.getHealthStatus().degradedReason).toBe('storage');
    const write = client.mutate('t1', 'addMessage', userMessage('m1'));
    await clock.advanceAsync(10);
    expect(client.getPendingItems()[0]).toMatchObject({ id: write.id, lastError: { kind: 'storage' } });
    await clock.advanceAsync(500);
    await expect(write.settled).resolves.toBeUndefined();
    expect(fake.thread('t1')?.messages).toHaveLength(1);
    expect(client.getHealthStatus()).toMatchObject({ state: 'live', degraded: true, degradedReason: 'storage' });
  });

  it('storage outranks the connection\'s reasons and survives them', async () => {
    const { client, clock, fake, env } = await rig({ storage: createFullStorage() });
    await clock.advanceAsync(100);
    fake.setFaults({ offline: true });
    env.setOnline(false);
    client.mutate('t1', 'addMessage', userMessage('m1'));
    await clock.advanceAsync(100);
    expect(client.getHealthStatus()).toMatchObject({ state: 'offline', degradedReason: 'storage' });
    fake.setFaults({});
    env.setOnline(true);
    await clock.advanceAsync(5000);
    expect(fake.thread('t1')?.messages).toHaveLength(1);
    expect(client.getHealthStatus()).toMatchObject({ state: 'live', degradedReason: 'storage' });
  });
});

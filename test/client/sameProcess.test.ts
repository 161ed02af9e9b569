import { createMemoryStorage, createSyncClient } from 'syncline';
import { createFakeBackend, createFakeClock } from 'syncline/testing';
import { userMessage } from '../helpers.js';

describe('two live clients on one namespace in one process, without Web Locks', () => {
  it('neither takes over the other\'s writes: every write lands exactly once, none stays queued', async () => {
    expect((globalThis as { navigator?: { locks?: unknown } }).navigator?.locks).toBeUndefined();
    const clock = createFakeClock();
    const fake = createFakeBackend({ clock, faults: { latencyMs: 2000 } });
    const storage = createMemoryStorage();
    // No environment option: the browser environment, as an app in Node gets it.
    const make = () => createSyncClient({ connector: fake.connector, clock, storage, namespace: 'shared' });
    const first = make();
    first.start();
    await first.ready;
    for (let i = 0; i < 3; i++) first.mutate('t1', 'addMessage', userMessage(`a${i}`));
    await clock.advanceAsync(10); // stored, not yet acknowledged

    const second = make();
    second.start();
    await second.ready;
    expect(second.getPendingItems()).toEqual([]); // the first's writes stay the first's
    for (let i = 0; i < 3; i++) second.mutate('t1', 'addMessage', userMessage(`b${i}`));

    const flushed = Promise.all([first.flushPending(), second.flushPending()]);
    await clock.advanceAsync(20_000);
    expect(await flushed).toEqual([3, 3]);
    for (const c of [first, second]) {
      expect(c.getPendingItems()).toEqual([]);
      expect(c.getHealthStatus().degradedReason).toBeNull();
    }
    const ids = fake.backend.applied.map((a) => a.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    expect(fake.backend.stats().fenced).toBe(0);

    // Once the first is gone, a new client resumes what it left behind.
    first.mutate('t1', 'addMessage', userMessage('left'));
    await clock.advanceAsync(10);
    first.dispose();
    const third = make();
    third.start();
    await third.ready;
    expect(third.getPendingItems()).toHaveLength(1);
    await clock.advanceAsync(20_000);
    expect(fake.backend.applied).toHaveLength(7);
    for (const c of [second, third]) c.dispose();
  });
});

import { createMemoryStorage, createSyncClient, type SyncClient } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment, type FakeLocks } from 'syncline/testing';
import { userMessage } from '../helpers.js';

describe('two lone tabs on one outbox (fake Web Locks, no channel: each works alone)', () => {
  it('a new tab leaves a live tab\'s writes alone, and resumes them once that tab is gone', async () => {
    const clock = createFakeClock();
    const fake = createFakeBackend({ clock, faults: { blockPushes: true } });
    const storage = createMemoryStorage(); // one browser profile: one IndexedDB
    const locks: FakeLocks = new Set();
    const tab = (): SyncClient => {
      const c = createSyncClient({
        connector: fake.connector, clock, storage, environment: createFakeEnvironment(clock, { locks }),
      });
      c.start();
      return c;
    };

    const a = tab();
    await a.ready;
    for (let i = 0; i < 3; i++) a.mutate('t1', 'addMessage', userMessage(`a${i}`));
    await clock.advanceAsync(200);

    const b = tab();
    await b.ready;
    expect(b.getPendingItems()).toEqual([]); // a's writes are a's
    fake.setFaults({});
    b.mutate('t2', 'addMessage', userMessage('b0'));
    await clock.advanceAsync(5000);
    // Both tabs write; neither fences the other.
    expect(a.getHealthStatus().degradedReason).not.toBe('fenced');
    expect(b.getHealthStatus().degradedReason).not.toBe('fenced');
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['a0', 'a1', 'a2']);
    expect(fake.thread('t2')?.messages.map((m) => m.id)).toEqual(['b0']);
    expect(fake.backend.stats().fenced).toBe(0);

    // A tab closed with writes unsent: the next tab to load resumes them, exactly once.
    fake.setFaults({ blockPushes: true });
    a.mutate('t1', 'addMessage', userMessage('a3'));
    await clock.advanceAsync(200);
    a.dispose();
    fake.setFaults({});
    const c = tab();
    await c.ready;
    expect(c.getPendingItems().map((w) => (w.args as ReturnType<typeof userMessage>).message.id)).toEqual(['a3']);
    await clock.advanceAsync(5000);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['a0', 'a1', 'a2', 'a3']);
    expect(fake.backend.applied).toHaveLength(5);
    b.dispose();
    c.dispose();
  });
});

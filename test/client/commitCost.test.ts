import type * as DeriveStatus from '../../src/client/deriveStatus.js';
import { rig, userMessage } from '../helpers.js';

// Counts status derivations: a test-only wrapper around the real function, no hook in the library.
const derived = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/client/deriveStatus.js', async (importOriginal) => {
  const real = await importOriginal<typeof DeriveStatus>();
  return {
    ...real,
    deriveStatus: (...args: Parameters<typeof real.deriveStatus>) => {
      derived.count++;
      return real.deriveStatus(...args);
    },
  };
});

describe('a store commit recomputes only the threads that changed', () => {
  it.each([1, 3000])('one mutate + commit with %i threads derives the same few statuses', async (threads) => {
    const { client, clock, fake } = await rig();
    for (let i = 0; i < threads; i++) {
      fake.backend.serverWrite(`t${i}`, 'setTitle', { title: `thread ${i}` });
      client.watch(`t${i}`);
    }
    await clock.advanceAsync(1000);
    expect(Object.keys(client.store.getState().threads)).toHaveLength(threads);
    const before = client.store.getState();

    derived.count = 0;
    client.mutate('t0', 'addMessage', userMessage('m1'));
    client.getSyncStatus('t0'); // publishes the commit
    // The thread written to, and the whole client: not one per thread.
    expect(derived.count).toBe(2);
    const after = client.store.getState();
    expect(after.threads.t0).not.toBe(before.threads.t0);
    // Copy-on-write: the snapshot subscribers held keeps its values, and cannot be written to.
    expect(before.threads.t0?.messages).toEqual([]);
    expect(after.threads.t0?.messages).toHaveLength(1);
    expect(() => ((before.threads as Record<string, unknown>).t0 = undefined)).toThrow(TypeError);
    expect(Object.keys(after.threads)).toHaveLength(threads);
    expect(after.status.t0).toMatchObject({ state: 'pending', pendingCount: 1 });
    for (let i = 1; i < threads; i++) {
      expect(after.threads[`t${i}`]).toBe(before.threads[`t${i}`]);
      expect(after.status[`t${i}`]).toBe(before.status[`t${i}`]);
    }
    client.dispose();
  });
});

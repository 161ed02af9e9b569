/** The write path's cost of the trace (docs/metrics.md): throughput with a listener attached vs none. */
import { createSyncClient } from '../src/client/createSyncClient.js';
import { createMemoryStorage } from '../src/platform/memoryStorage.js';
import { createFakeBackend } from '../src/testing/fakeBackend.js';
import { writesPerSecond } from './engine.js';

/** Writes per second, mutate to every ack, against the in-memory backend (no network to blur it). */
async function run(n: number, observed: boolean): Promise<number> {
  const fake = createFakeBackend();
  const client = createSyncClient({
    connector: fake.connector,
    storage: createMemoryStorage(),
    tabs: 'alone',
    batch: { windowMs: 0, maxItems: 500, maxBytes: 1024 * 1024 },
    maxPending: n,
  });
  let seen = 0;
  if (observed) client.observe(() => seen++);
  try {
    const perSecond = await writesPerSecond(client, n);
    if (observed && seen === 0) throw new Error('the listener saw no event');
    return perSecond;
  } finally {
    fake.close();
  }
}

/**
 * Best of five alternating runs each (the machine is shared: the best run is the least disturbed).
 * The metrics collector runs in both (it is always on, and its counting is part of every figure
 * of the write path); the ratio is what a listener such as `<SyncInspector />` adds on top.
 */
export async function traceListenerRatio(n = 5000): Promise<{ off: number; on: number; ratio: number }> {
  let off = 0;
  let on = 0;
  for (let i = 0; i < 5; i++) {
    off = Math.max(off, await run(n, false));
    on = Math.max(on, await run(n, true));
  }
  return { off: Math.round(off), on: Math.round(on), ratio: on / off };
}

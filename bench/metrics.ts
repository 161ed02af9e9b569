/** The write path's cost of the trace (docs/metrics.md): throughput with a listener attached vs none. */
import { createSyncClient } from '../src/client/createSyncClient.js';
import { createMemoryStorage } from '../src/platform/memoryStorage.js';
import { createFakeBackend } from '../src/testing/fakeBackend.js';

const message = (id: string) => ({ message: { id, role: 'user' as const, content: id, createdAt: 1 } });

/** Writes per second, mutate to every ack, against the in-memory backend (no network to blur it). */
async function writesPerSecond(n: number, observed: boolean): Promise<number> {
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
  client.start();
  await client.ready;
  const started = performance.now();
  for (let i = 0; i < n; i++) client.mutate(`t${i % 10}`, 'addMessage', message(`m${i}`));
  const acked = await client.flushPending();
  const seconds = (performance.now() - started) / 1000;
  client.dispose();
  fake.close();
  if (acked !== n || (observed && seen === 0)) throw new Error(`only ${acked} of ${n} writes were acknowledged`);
  return n / seconds;
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
    off = Math.max(off, await writesPerSecond(n, false));
    on = Math.max(on, await writesPerSecond(n, true));
  }
  return { off: Math.round(off), on: Math.round(on), ratio: on / off };
}

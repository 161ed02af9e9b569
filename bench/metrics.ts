/** The write path's cost of metrics (docs/metrics.md): throughput with `metrics: syncMetrics()` vs without. */
import { createSyncClient } from '../src/client/createSyncClient.js';
import { syncMetrics } from '../src/metrics/index.js';
import { createMemoryStorage } from '../src/platform/memoryStorage.js';
import { createFakeBackend } from '../src/testing/fakeBackend.js';
import { writesPerSecond } from './engine.js';

/** Writes per second, mutate to every ack, against the in-memory backend (no network to blur it). */
async function run(n: number, counted: boolean): Promise<number> {
  const fake = createFakeBackend();
  const client = createSyncClient({
    connector: fake.connector,
    storage: createMemoryStorage(),
    tabs: 'alone',
    batch: { windowMs: 0, maxItems: 500, maxBytes: 1024 * 1024 },
    maxPending: n,
    ...(counted && { metrics: syncMetrics() }),
  });
  try {
    const perSecond = await writesPerSecond(client, n);
    if (counted && client.getMetrics().writesAcknowledged !== n) throw new Error('the metrics missed writes');
    return perSecond;
  } finally {
    fake.close();
  }
}

/**
 * Best of five alternating runs each (the machine is shared: the best run is the least disturbed).
 * Off, nothing listens to the trace and the connector's calls pass straight through; on, every
 * request and answer is measured (JSON length) and counted.
 */
export async function metricsRatio(n = 5000): Promise<{ off: number; on: number; ratio: number }> {
  let off = 0;
  let on = 0;
  for (let i = 0; i < 5; i++) {
    off = Math.max(off, await run(n, false));
    on = Math.max(on, await run(n, true));
  }
  return { off: Math.round(off), on: Math.round(on), ratio: on / off };
}

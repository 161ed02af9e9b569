/** Engine figures: push counts on a fake clock, throughput on real loopback HTTP. */
import { createHttpConnector } from '../src/transport/httpConnector.js';
import { createMemoryStorage } from '../src/platform/memoryStorage.js';
import { createDevServer } from '../src/server/dev/devServer.js';
import { startServerProcess } from './serverProcess.js';
import { createSyncClient } from '../src/client/createSyncClient.js';
import type { SyncClient } from '../src/client/types.js';
import { createFakeBackend } from '../src/testing/fakeBackend.js';
import { createFakeClock } from '../src/testing/fakeClock.js';
import { createFakeEnvironment } from '../src/testing/fakeEnvironment.js';

const message = (id: string, content = id) => ({ message: { id, role: 'user' as const, content, createdAt: 1 } });

/** Push requests for a burst of N writes with maxItems B against a healthy server. */
export async function pushesForBurst(n: number, maxItems: number): Promise<number> {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock });
  const client = createSyncClient({
    connector: fake.connector, clock, environment: createFakeEnvironment(clock),
    storage: createMemoryStorage(), batch: { maxItems },
  });
  client.start();
  await client.ready;
  for (let i = 0; i < n; i++) client.mutate(`t${i % 10}`, 'addMessage', message(`m${i}`));
  const flushed = client.flushPending();
  await clock.advanceAsync(10_000);
  await flushed;
  client.dispose();
  return fake.stats().requests.push;
}

/**
 * Writes acknowledged per second by the dev server on loopback (push + ack, one client with its
 * optimistic views; the server in its own process, as in real use).
 */
export async function loopbackThroughput(n: number): Promise<number> {
  const server = await startServerProcess();
  const client = createSyncClient({
    connector: createHttpConnector({ baseUrl: server.url }),
    storage: createMemoryStorage(),
    batch: { windowMs: 0, maxItems: 500, maxBytes: 1024 * 1024 },
    maxPending: n,
  });
  const perSecond = await writesPerSecond(client, n);
  server.close();
  return Math.round(perSecond);
}

/**
 * Starts `client`, queues `n` writes over ten threads, and times them from the first `mutate` to
 * the last acknowledgement; disposes the client. Throws if any write was not acknowledged.
 */
export async function writesPerSecond(client: SyncClient, n: number): Promise<number> {
  client.start();
  await client.ready;
  const started = performance.now();
  for (let i = 0; i < n; i++) client.mutate(`t${i % 10}`, 'addMessage', message(`m${i}`));
  const acked = await client.flushPending();
  const seconds = (performance.now() - started) / 1000;
  client.dispose();
  if (acked !== n) throw new Error(`only ${acked} of ${n} writes were acknowledged`);
  return n / seconds;
}

/** Messages per second from one client's composer to another client's view (the harness). */
export async function messageFlow(n: number): Promise<number> {
  const server = await createDevServer({ keepaliveMs: 1000 });
  const make = () => {
    const c = createSyncClient({ connector: createHttpConnector({ baseUrl: server.url }), storage: createMemoryStorage(), batch: { windowMs: 10 } });
    c.start();
    return c;
  };
  const [a, b] = [make(), make()];
  await Promise.all([a.ready, b.ready]);
  b.watch('flow');
  await new Promise((r) => setTimeout(r, 200));
  const started = performance.now();
  for (let i = 0; i < n; i++) a.mutate('flow', 'addMessage', message(`f${i}`, `token ${i}`));
  while ((b.getThread('flow')?.messages.length ?? 0) < n) await new Promise((r) => setTimeout(r, 2));
  const perSecond = Math.round(n / ((performance.now() - started) / 1000));
  a.dispose();
  b.dispose();
  await server.close();
  return perSecond;
}

import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient } from 'syncline';
import { createDevServer, type DevServer } from 'syncline/server';

// Real HTTP on loopback, real time (bounded): the engine under the faults of issue 2.
const THREADS = Array.from({ length: 20 }, (_, i) => `chaos-${i}`);
const WRITES_PER_CLIENT = 5000;

let server: DevServer;
const clients: SyncClient[] = [];

beforeAll(async () => {
  server = await createDevServer({ keepaliveMs: 1000 });
});
afterAll(async () => {
  for (const c of clients) c.dispose();
  await server.close();
});

function client(): SyncClient {
  const c = createSyncClient({
    connector: createHttpConnector({ baseUrl: server.url, timeoutMs: 1000 }),
    storage: createMemoryStorage(),
    batch: { windowMs: 20, maxItems: 100 },
    retry: { baseMs: 20, maxMs: 400 },
    poll: { activeMs: 500, idleMs: 2000 },
  });
  clients.push(c);
  return c;
}

describe('chaos over loopback HTTP against the dev server', () => {
  it('applies 10 000 writes exactly once, in order, and converges', async () => {
    server.setFaults({
      errorRate: 0.2,
      errorStatus: 503,
      rateLimitRate: 0.05,
      retryAfterSeconds: 1,
      htmlRate: 0.05,
      lostAnswerRate: 0.1,
      hangRate: 0.005,
      seed: 7,
    });
    const writers = [client(), client()];
    for (const c of writers) {
      c.start();
      await c.ready;
      for (const t of THREADS) c.watch(t);
    }
    let expected = 0;
    writers.forEach((c, who) => {
      for (let i = 0; i < WRITES_PER_CLIENT; i++) {
        const threadId = THREADS[i % THREADS.length]!;
        const id = `c${who}-m${i}`;
        if (i >= THREADS.length && i % 7 === 6) {
          // An edit of this client's previous message on the same thread: order matters.
          c.mutate(threadId, 'editMessage', { messageId: `c${who}-m${i - THREADS.length}`, content: `edited ${i}` });
        } else {
          c.mutate(threadId, 'addMessage', { message: { id, role: 'user', content: `hello ${i}`, createdAt: i } });
        }
        expected++;
      }
    });
    expect(writers.map((c) => c.getSyncStatus().pendingCount)).toEqual([WRITES_PER_CLIENT, WRITES_PER_CLIENT]);

    // Bounded, with room for a loaded 2-core machine (the suite's other files run beside it);
    // the flush ends as soon as the last write settles.
    const acked = await Promise.all(writers.map((c) => c.flushPending({ timeoutMs: 300_000 })));
    expect(acked[0]! + acked[1]!).toBe(expected);
    for (const c of writers) {
      expect(c.getPendingItems()).toEqual([]);
      expect(c.getSyncStatus().pendingCount).toBe(0);
    }

    // Exactly once, and in each client's seq order.
    const applied = server.backend.applied;
    expect(applied).toHaveLength(expected);
    expect(new Set(applied.map((m) => m.id)).size).toBe(expected);
    const lastSeq = new Map<string, number>();
    for (const m of applied) {
      expect(m.seq).toBeGreaterThan(lastSeq.get(m.clientId) ?? 0);
      lastSeq.set(m.clientId, m.seq);
    }
    const stats = server.stats();
    expect(stats.backend.duplicates).toBeGreaterThan(0); // lost answers really were re-sent

    server.setFaults({});
    for (const c of writers) await Promise.all(THREADS.map((t) => c.syncImmediately(t)));
    for (const c of writers) {
      for (const t of THREADS) expect(c.getThread(t)).toEqual(server.backend.thread(t));
    }
  }, 330_000);
});

/**
 * The production server as deployed: three instances (child processes) on one PostgreSQL
 * database and one Redis, 30 Node clients over HTTP on loopback spread across them, on shared
 * threads, with client-side faults. Real time, bounded; PostgreSQL and Redis are started when
 * missing (scripts/services.ts) and a service that cannot be started fails the test.
 */
import pg from 'pg';
import { loadThreads } from '../../src/server/postgresThreads.js';
import { createHttpConnector, createMemoryStorage, createSyncClient } from 'syncline';
import type { SyncClient, Thread } from 'syncline';
import { createTestDatabase, ensureRedis, startRedis } from '../../scripts/services.js';
import type { OwnRedis, TestDatabase } from '../../scripts/services.js';
import { startInstance } from './cluster.js';
import type { ClusterConfig, Instance } from './cluster.js';

const THREADS = Array.from({ length: 10 }, (_, i) => `cluster-${i}`);
/** Client `who` watches and writes two threads; each thread is shared by six clients on all three instances. */
const threadsOf = (who: number) => [THREADS[who % THREADS.length]!, THREADS[(who + 1) % THREADS.length]!];

/** A fetch that drops, loses the answer of, or aborts some push/pull/ping requests (seeded). */
function faultyFetch(seed: number, counts: { dropped: number; lost: number; aborted: number }): typeof fetch {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.includes('/events')) return fetch(input, init);
    const r = random();
    if (r < 0.04) {
      counts.dropped++;
      throw new TypeError('fetch failed (dropped by the test)');
    }
    if (r < 0.08) {
      // Sent and applied, but the answer never reaches the client: it must re-send.
      const res = await fetch(input, init);
      await res.arrayBuffer().catch(() => undefined);
      counts.lost++;
      throw new TypeError('fetch failed (answer lost by the test)');
    }
    if (r < 0.1) {
      counts.aborted++;
      const signal = AbortSignal.any([...(init?.signal ? [init.signal] : []), AbortSignal.timeout(1 + Math.floor(random() * 15))]);
      return fetch(input, { ...init, signal });
    }
    return fetch(input, init);
  };
}

async function until(check: () => boolean | Promise<boolean>, ms: number, what: () => string) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Harness {
  instances: Instance[];
  clients: SyncClient[];
  counts: { dropped: number; lost: number; aborted: number };
}

async function startHarness(config: ClusterConfig, clientCount: number, faults: boolean): Promise<Harness> {
  const instances = await Promise.all([0, 1, 2].map(() => startInstance(config)));
  const counts = { dropped: 0, lost: 0, aborted: 0 };
  const clients = Array.from({ length: clientCount }, (_, i) =>
    createSyncClient({
      connector: createHttpConnector({ baseUrl: instances[i % 3]!.url, timeoutMs: 3000, fetch: faults ? faultyFetch(i + 1, counts) : fetch }),
      storage: createMemoryStorage(),
      batch: { windowMs: 20, maxItems: 50 },
      retry: { baseMs: 50, maxMs: 1000 },
      poll: { activeMs: 1000, idleMs: 5000 },
      liveness: { staleAfterMs: 3000 },
    }),
  );
  clients.forEach((c, who) => {
    c.start();
    for (const t of threadsOf(who)) c.watch(t);
  });
  return { instances, clients, counts };
}

async function stopHarness(h: Harness | undefined) {
  if (!h) return;
  for (const c of h.clients) c.dispose();
  await Promise.all(h.instances.map((i) => i.stop()));
}

/** Writes of one client, `n` at a time: mostly new messages, every fifth a token appended to its own earlier one. */
function writer(c: SyncClient, who: number) {
  const mine = threadsOf(who);
  let i = 0;
  let deltas = 0;
  return {
    write(n: number) {
      for (let k = 0; k < n; k++, i++) {
        const threadId = mine[i % 2]!;
        if (i % 5 === 4 && i >= 2) {
          // i - 2 went to the same thread, and was a new message (i - 2 ≡ 2 mod 5).
          c.mutate(threadId, 'appendDelta', { messageId: `c${who}-m${i - 2}`, text: ` +${i}` });
          deltas++;
        } else {
          c.mutate(threadId, 'addMessage', { message: { id: `c${who}-m${i}`, role: 'user', content: `hello ${i}`, createdAt: i } });
        }
      }
    },
    get written() {
      return i;
    },
    get deltas() {
      return deltas;
    },
  };
}

/** The database's threads, as a fresh instance reads them (a snapshot plus its ops: src/server/postgresThreads.ts). */
async function dbThreads(pool: pg.Pool): Promise<Map<string, Thread>> {
  const { threads } = await loadThreads(pool, THREADS, new Map());
  return threads;
}

/** Every client shows exactly the database's threads, through its own streams and pulls. */
async function expectConverged(h: Harness, pool: pg.Pool, ms: number) {
  let threads = new Map<string, Thread>();
  let lagging = '';
  await until(
    async () => {
      threads = await dbThreads(pool);
      for (const [n, c] of h.clients.entries()) {
        for (const t of threadsOf(n)) {
          if (JSON.stringify(c.getThread(t)) !== JSON.stringify(threads.get(t))) {
            lagging = `client ${n} on ${t}: v ${c.getThread(t)?.v} vs ${threads.get(t)?.v}`;
            return false;
          }
        }
      }
      return true;
    },
    ms,
    () => `every client to converge (${lagging})`,
  );
  h.clients.forEach((c, n) => {
    for (const t of threadsOf(n)) expect(c.getThread(t)).toEqual(threads.get(t));
  });
}

async function expectAppliedOnce(pool: pg.Pool, writes: number, deltas: number) {
  const { rows } = await pool.query<{ applied: string; mutations: string; rejected: string }>(
    `SELECT count(*) FILTER (WHERE status = 'applied') AS applied, count(DISTINCT (client_id, mutation_id)) AS mutations,
            count(*) FILTER (WHERE status = 'rejected') AS rejected FROM syncline_mutations`,
  );
  expect(rows[0]).toEqual({ applied: String(writes), mutations: String(writes), rejected: '0' });
  const threads = await dbThreads(pool);
  const ids = [...threads.values()].flatMap((t) => t.messages.map((m) => m.id));
  expect(ids).toHaveLength(writes - deltas);
  expect(new Set(ids).size).toBe(writes - deltas);
  expect([...threads.values()].reduce((sum, t) => sum + t.v, 0)).toBe(writes);
}

describe('three instances on PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let harness: Harness | undefined;
  let ownRedis: OwnRedis | undefined;

  beforeAll(async () => {
    // Commits need not wait for the disk here: the test crashes instances, never PostgreSQL.
    database = await createTestDatabase('cluster', { durable: false });
    pool = new pg.Pool({ connectionString: database.connectionString, max: 2 });
    pool.on('error', () => {}); // the database is dropped with FORCE at the end
  }, 60_000);
  afterEach(async () => {
    await stopHarness(harness);
    harness = undefined;
    await ownRedis?.stop();
    ownRedis = undefined;
    await pool.query('TRUNCATE syncline_threads, syncline_thread_ops, syncline_mutations, syncline_clients, syncline_events').catch(() => undefined);
  }, 30_000);
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('30 clients, 3 000 writes under client faults, each instance SIGKILLed once and restarted: applied exactly once, all converge, all live', async () => {
    const config = { pgUrl: database.connectionString, redisUrl: await ensureRedis(), channel: `syncline:cluster:${process.pid}` };
    const h = (harness = await startHarness(config, 30, true));
    const writers = h.clients.map((c, who) => writer(c, who));
    await until(() => h.clients.every((c) => c.getHealthStatus().state === 'live'), 20_000, () => 'every stream to be live');

    const ROUNDS = 20;
    const crashes: Promise<void>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of writers) w.write(5);
      // Instance k dies at round 3 + 6k and is back about a second later.
      if (round % 6 === 3) {
        const victim = h.instances[(round - 3) / 6]!;
        crashes.push(victim.kill().then(() => sleep(800)).then(() => victim.start()));
      }
      await sleep(300);
    }
    await Promise.all(crashes);
    const total = writers.reduce((sum, w) => sum + w.written, 0);
    const deltas = writers.reduce((sum, w) => sum + w.deltas, 0);
    expect(total).toBe(3000);

    await Promise.all(h.clients.map((c) => c.flushPending({ timeoutMs: 60_000 })));
    // Nothing left, nothing failed: every write was acknowledged.
    for (const c of h.clients) expect(c.getSyncStatus()).toMatchObject({ pendingCount: 0, failedCount: 0 });
    await expectAppliedOnce(pool, total, deltas);
    // The faults really happened: answers were lost, so writes were re-sent.
    expect(h.counts.lost).toBeGreaterThan(0);
    expect(h.counts.dropped).toBeGreaterThan(0);
    expect(h.counts.aborted).toBeGreaterThan(0);

    await until(() => h.clients.every((c) => c.getHealthStatus().state === 'live'), 20_000, () => 'every stream to be live again');
    // And on the servers' side: each restarted instance streams to its ten clients, no more.
    let open: number[] = [];
    await until(
      async () => {
        open = (await Promise.all(h.instances.map((i) => i.stats()))).map((s) => s.openStreams);
        return open.every((n) => n === 10);
      },
      10_000,
      () => `ten open streams per instance (${open.join(', ')})`,
    );
    await expectConverged(h, pool, 20_000);
  }, 150_000);

  it('Redis restarted mid-run: clients poll while it is away, say so, lose nothing, and are live after', async () => {
    ownRedis = await startRedis();
    const config = { pgUrl: database.connectionString, redisUrl: ownRedis.url, channel: 'syncline:cluster' };
    // No client-side faults here: a dropped ping would rightly read as offline for a moment, and
    // this test checks what health says about the server's push channel.
    const h = (harness = await startHarness(config, 9, false));
    const writers = h.clients.map((c, who) => writer(c, who));
    await until(() => h.clients.every((c) => c.getHealthStatus().state === 'live'), 20_000, () => 'every stream to be live');

    // Health sampled throughout: while Redis is away no client may claim a live stream for long.
    let redisDown = false;
    let liveWhileDown = 0;
    let samplesWhileDown = 0;
    const sampler = setInterval(() => {
      if (!redisDown) return;
      samplesWhileDown++;
      liveWhileDown += h.clients.filter((c) => c.getHealthStatus().state === 'live').length;
    }, 100);
    try {
      for (let round = 0; round < 4; round++) {
        for (const w of writers) w.write(5);
        await sleep(250);
      }
      await ownRedis.stop();
      await until(
        () => h.clients.every((c) => c.getHealthStatus().state !== 'live'),
        10_000,
        () => `every client to leave live (${h.clients.map((c) => c.getHealthStatus().state).join(',')})`,
      );
      redisDown = true;
      for (let round = 0; round < 8; round++) {
        for (const w of writers) w.write(5);
        await sleep(250);
      }
      // Writes still land (they need PostgreSQL only) and clients see each other's by polling.
      await Promise.all(h.clients.map((c) => c.flushPending({ timeoutMs: 30_000 })));
      for (const c of h.clients) expect(c.getSyncStatus()).toMatchObject({ pendingCount: 0, failedCount: 0 });
      await expectConverged(h, pool, 20_000);
      for (const c of h.clients) {
        const health = c.getHealthStatus();
        expect(health).toMatchObject({ state: 'polling', transport: 'polling', degraded: true, degradedReason: 'stream-unavailable' });
      }
      redisDown = false;
      expect(liveWhileDown).toBe(0);
      expect(samplesWhileDown).toBeGreaterThan(10);

      await ownRedis.start();
      for (let round = 0; round < 4; round++) {
        for (const w of writers) w.write(5);
        await sleep(250);
      }
      await until(() => h.clients.every((c) => c.getHealthStatus().state === 'live'), 20_000, () => 'every stream to be live again');
      await Promise.all(h.clients.map((c) => c.flushPending({ timeoutMs: 30_000 })));
      const total = writers.reduce((sum, w) => sum + w.written, 0);
      await expectAppliedOnce(pool, total, writers.reduce((sum, w) => sum + w.deltas, 0));
      await expectConverged(h, pool, 20_000);
      for (const c of h.clients) expect(c.getHealthStatus()).toMatchObject({ state: 'live', degraded: false });
    } finally {
      clearInterval(sampler);
    }
  }, 150_000);
});

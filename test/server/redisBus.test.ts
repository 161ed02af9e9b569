/**
 * The Redis bus against real redis-server processes: the shared one on 6379 (started when
 * missing) and one of this file's own that it kills and restarts.
 */
import { createClient } from 'redis';
import { createRedisBus } from '../../src/server/redisBus.js';
import type { ServerBus, StoredEvent } from '../../src/server/types.js';
import { ensureRedis, freePort, startRedis } from '../../scripts/services.js';
import type { OwnRedis } from '../../scripts/services.js';

const event = (cursor: number, threadId = 't'): StoredEvent => ({ cursor: String(cursor), type: 'thread', threadId, v: cursor });

/** Resolves once `check` holds, polling every 10 ms; fails after `ms` (bounded real time). */
async function until(check: () => boolean, ms = 10_000, what = 'condition') {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function listen(bus: ServerBus) {
  const seen: StoredEvent[] = [];
  const status: boolean[] = [];
  bus.subscribe(
    (e) => seen.push(e),
    (up) => status.push(up),
  );
  return { seen, status };
}

describe('createRedisBus', () => {
  const open: ServerBus[] = [];
  const bus = (options: Parameters<typeof createRedisBus>[0]) => {
    const b = createRedisBus(options);
    open.push(b);
    return b;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('fans entries out to every instance in publish order, and drops what is not an entry', async () => {
    const url = await ensureRedis();
    const channel = `syncline:test:${Math.random()}`;
    const a = bus({ url, channel });
    const b = bus({ url, channel });
    const atA = listen(a);
    const atB = listen(b);
    await until(() => atA.status.at(-1) === true && atB.status.at(-1) === true, 5000, 'both subscribed');
    await a.publish([event(1), event(2)]);
    await b.publish([event(3)]);
    const junk = createClient({ url });
    await junk.connect();
    await junk.publish(channel, 'not json');
    await junk.publish(channel, JSON.stringify([{ cursor: '1e99', type: 'thread', threadId: 't', v: 1 }, { cursor: '9', type: 'bogus' }]));
    await junk.publish(channel, '{"__proto__":{"polluted":true}}');
    await junk.close();
    await a.publish([{ cursor: '4', type: 'delta', threadId: 't', messageId: 'm', v: 4, text: 'tok' }]);
    await until(() => atA.seen.length === 4 && atB.seen.length === 4, 5000, 'four entries at both instances');
    expect(atA.seen.map((e) => e.cursor)).toEqual(['1', '2', '3', '4']);
    expect(atB.seen).toEqual(atA.seen);
    // Down until subscribed, then up: a stream opened before that could not be live.
    expect(atA.status).toEqual([false, true]);
  });

  it("publishes through the app's own client and leaves it open on close", async () => {
    const url = await ensureRedis();
    const channel = `syncline:test:${Math.random()}`;
    const client = createClient({ url });
    await client.connect();
    const b = createRedisBus({ client, channel });
    const got = listen(b);
    await until(() => got.status.at(-1) === true, 5000, 'subscribed');
    await b.publish([event(7)]);
    await until(() => got.seen.length === 1, 5000, 'the entry');
    await b.close();
    expect(await client.ping()).toBe('PONG');
    await client.close();
  });

  it('says down while Redis cannot be reached, and publish rejects within its timeout', async () => {
    const port = await freePort();
    const b = bus({ url: `redis://127.0.0.1:${port}`, publishTimeoutMs: 200 });
    const got = listen(b);
    await until(() => got.status.length === 1, 5000, 'a status');
    expect(got.status).toEqual([false]);
    await expect(b.publish([event(1)])).rejects.toThrow(/did not take the entries/);
  });

  describe('Redis restarted', () => {
    let redis: OwnRedis;
    beforeAll(async () => {
      redis = await startRedis();
    }, 30_000);
    afterAll(() => redis?.stop());

    it('reports down then up at every instance, and sends what was published meanwhile once back', async () => {
      const channel = 'syncline:restart';
      // A Redis that restarts takes its time (two connections each on its own backoff, a loaded
      // machine): the publish after it gets a margin, not the 300 ms that failed in CI.
      const a = bus({ url: redis.url, channel, publishTimeoutMs: 3000, maxReconnectDelayMs: 200 });
      const c = bus({ url: redis.url, channel, publishTimeoutMs: 3000, maxReconnectDelayMs: 200 });
      const atA = listen(a);
      const atC = listen(c);
      await until(() => atA.status.at(-1) === true && atC.status.at(-1) === true, 5000, 'both subscribed');
      await a.publish([event(1)]);
      await until(() => atC.seen.length === 1, 5000, 'the first entry');

      await redis.stop();
      await until(() => atA.status.at(-1) === false && atC.status.at(-1) === false, 10_000, 'down at both');
      await expect(a.publish([event(2)])).rejects.toThrow();
      await redis.start();
      await until(() => atA.status.at(-1) === true && atC.status.at(-1) === true, 10_000, 'up at both');
      await a.publish([event(3)]);
      await until(() => atC.seen.length === 3, 5000, 'the queued and the new entry');
      expect(atC.seen.map((e) => e.cursor)).toEqual(['1', '2', '3']);
      expect(atC.status).toEqual([false, true, false, true]);
    });
  });
});

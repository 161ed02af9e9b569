import { createMemoryStorage, createSyncClient, SyncError } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import { rig, userMessage, type Rig } from '../helpers.js';

const MIN = 60_000;
/** The probe's ceiling plus the recovery's spread (docs/liveness.md "Recovery"), plus one step of `until`. */
const WRITES_BACK_MS = 2000 + 1000 + 50;
const STREAM_BACK_MS = 2000 + 2250 + 50;

/** Live, then the server unreachable for `outageMs` with a write waiting; returns the pings it took. */
async function outage(r: Rig, outageMs: number) {
  r.client.watch('t1');
  await r.until(() => r.client.getHealthStatus().state === 'live');
  r.fake.setFaults({ offline: true });
  r.client.mutate('t1', 'addMessage', userMessage('during'));
  const pings = r.fake.stats().requests.ping;
  await r.clock.advanceAsync(outageMs);
  expect(r.client.getHealthStatus()).toMatchObject({ state: 'offline', degradedReason: 'offline' });
  expect(r.client.getPendingItems()).toHaveLength(1);
  return r.fake.stats().requests.ping - pings;
}

describe('recovery after an outage (fake clock, default retry policy)', () => {
  it.each([1, 2, 3, 4])('sends the outbox within probe + 1 s and reopens the stream within probe + 2.25 s (seed %i)', async (seed) => {
    const r = await rig();
    r.clock.seed(seed);
    const pings = await outage(r, MIN);
    // The probe runs on its own backoff capped at 2 s: 30 to 60 a minute, not hundreds, not one.
    expect(pings).toBeGreaterThanOrEqual(30);
    expect(pings).toBeLessThanOrEqual(60);

    r.fake.setFaults({});
    const back = r.clock.now();
    await r.until(() => r.client.getPendingItems().length === 0, 10_000);
    expect(r.clock.now() - back).toBeLessThanOrEqual(WRITES_BACK_MS);
    await r.until(() => r.client.getHealthStatus().state === 'live' && !r.client.getHealthStatus().degraded, 10_000);
    expect(r.clock.now() - back).toBeLessThanOrEqual(STREAM_BACK_MS);
    expect(r.fake.thread('t1')!.messages.map((m) => m.id)).toEqual(['during']);

    // Once back, the probe stops.
    const after = r.fake.stats().requests.ping;
    await r.clock.advanceAsync(MIN);
    expect(r.fake.stats().requests.ping).toBe(after);
  });

  it('does not probe while the page is offline; back online, everything goes at once', async () => {
    const r = await rig();
    r.client.watch('t1');
    await r.until(() => r.client.getHealthStatus().state === 'live');
    r.env.setOnline(false);
    r.fake.setFaults({ offline: true });
    r.client.mutate('t1', 'addMessage', userMessage('offline'));
    const pings = r.fake.stats().requests.ping;
    await r.clock.advanceAsync(MIN);
    expect(r.fake.stats().requests.ping - pings).toBeLessThanOrEqual(1);
    r.fake.setFaults({});
    r.env.setOnline(true);
    await r.clock.advanceAsync(100);
    expect(r.client.getPendingItems()).toEqual([]);
  });

  it('a server that answers pings but drops every push is not hammered: recoveries that bring nothing spread wider', async () => {
    const clock = createFakeClock();
    const environment = createFakeEnvironment(clock);
    const fake = createFakeBackend({ clock });
    let pushes = 0;
    const connector = {
      ...fake.connector,
      push: () => {
        pushes += 1;
        return Promise.reject(new SyncError('network', 'POST /push broke off'));
      },
    };
    const client = createSyncClient({ connector, clock, environment, storage: createMemoryStorage() });
    client.start();
    await client.ready;
    client.mutate('t1', 'addMessage', userMessage('w'));
    await clock.advanceAsync(5 * MIN);
    // The outbox's own backoff (full jitter capped at 30 s) makes about 25 attempts in 5 minutes,
    // and the recoveries, spread wider each time one brings nothing, about as many more; one
    // recovery per answered ping would make hundreds (257 before the spread grew).
    expect(pushes).toBeLessThanOrEqual(50);
    expect(client.getPendingItems()).toHaveLength(1);
    client.dispose();
  });
});

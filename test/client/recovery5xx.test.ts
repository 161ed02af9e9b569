import { createMemoryStorage, createSyncClient, type SyncClient } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment, type FakeBackend, type FakeClock } from 'syncline/testing';
import { refusingConnector, type Refusal, type RefusingConnector } from '../../bench/refusals.js';
import { userMessage } from '../helpers.js';

// A proxy answering 502/503 on every route, ping and stream included (docs/liveness.md
// "Recovery"): the default retry policy, a fake clock, the reference backend behind the proxy.
const MIN = 60_000;
/** The probe's ceiling plus the recovery's spread, plus one step of `until`. */
const WRITES_BACK_MS = 2000 + 1000 + 50;
const STREAM_BACK_MS = 2000 + 2250 + 50;

interface Setup {
  clock: FakeClock;
  fake: FakeBackend;
  proxy: RefusingConnector;
  client: SyncClient;
  /** Requests the client sent through the proxy, per route, refused ones included. */
  sent: Record<'push' | 'pull' | 'ping', number>;
  until(done: () => boolean, maxMs?: number): Promise<void>;
}

const setups: Setup[] = [];
afterEach(() => {
  for (const s of setups.splice(0)) {
    s.client.dispose();
    s.fake.close();
  }
});

async function setup(seed: number): Promise<Setup> {
  const clock = createFakeClock({ seed });
  const fake = createFakeBackend({ clock });
  const proxy = refusingConnector(fake.connector, clock);
  const sent = { push: 0, pull: 0, ping: 0 };
  const inner = proxy.connector;
  const connector = {
    ...inner,
    push: (...a: Parameters<typeof inner.push>) => (sent.push++, inner.push(...a)),
    pull: (...a: Parameters<typeof inner.pull>) => (sent.pull++, inner.pull(...a)),
    ping: (...a: Parameters<typeof inner.ping>) => (sent.ping++, inner.ping(...a)),
  };
  const client = createSyncClient({ connector, clock, environment: createFakeEnvironment(clock), storage: createMemoryStorage() });
  client.start();
  await client.ready;
  const until = async (done: () => boolean, maxMs = 120_000) => {
    for (let t = 0; t < maxMs && !done(); t += 50) await clock.advanceAsync(50);
    if (!done()) throw new Error(`condition not reached within ${maxMs} ms of fake time`);
  };
  const s = { clock, fake, proxy, client, sent, until };
  setups.push(s);
  client.watch('t1');
  await until(() => client.getHealthStatus().state === 'live');
  return s;
}

/** Every route refused for `outageMs` with a write waiting; returns the pings sent meanwhile. */
async function outage(s: Setup, refusal: Refusal, outageMs: number) {
  s.proxy.refuse(refusal);
  s.client.mutate('t1', 'addMessage', userMessage('during'));
  const pings = s.sent.ping;
  await s.clock.advanceAsync(outageMs);
  expect(s.client.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'server-errors' });
  expect(s.client.getPendingItems()).toHaveLength(1);
  return s.sent.ping - pings;
}

/** The server is fine again: returns when the write was acknowledged and when the stream was live again, in ms. */
async function recovery(s: Setup) {
  s.proxy.refuse(null);
  const back = s.clock.now();
  await s.until(() => s.client.getPendingItems().length === 0, 60_000);
  const acked = s.clock.now() - back;
  await s.until(() => s.client.getHealthStatus().state === 'live' && !s.client.getHealthStatus().degraded, 60_000);
  expect(s.fake.thread('t1')!.messages.map((m) => m.id)).toEqual(['during']);
  return { acked, live: s.clock.now() - back };
}

describe('recovery after a 5xx outage (fake clock, default retry policy)', () => {
  it.each([
    [502, 1],
    [503, 2],
    [503, 3],
    [502, 4],
  ])('%i without Retry-After: the probe runs; writes within probe + 1 s, the stream within probe + 2.25 s (seed %i)', async (status, seed) => {
    const s = await setup(seed);
    const pings = await outage(s, { status }, MIN);
    // The probe's own backoff capped at 2 s: 30 to 60 a minute (before, none: a 5xx was left to
    // the writes' backoff, up to 30 s).
    expect(pings).toBeGreaterThanOrEqual(30);
    expect(pings).toBeLessThanOrEqual(60);
    const { acked, live } = await recovery(s);
    expect(acked).toBeLessThanOrEqual(WRITES_BACK_MS);
    expect(live).toBeLessThanOrEqual(STREAM_BACK_MS);
    // Once back, the probe stops.
    const after = s.sent.ping;
    await s.clock.advanceAsync(MIN);
    expect(s.sent.ping).toBe(after);
  });

  it('503 with a Retry-After shorter than the probe\'s cap (1 s): the probe runs as without one', async () => {
    const s = await setup(5);
    expect(await outage(s, { status: 503, retryAfterSeconds: 1 }, 30_000)).toBeGreaterThanOrEqual(15);
    const { acked, live } = await recovery(s);
    // The write's last Retry-After (1 s) may still be running when the server returns.
    expect(acked).toBeLessThanOrEqual(WRITES_BACK_MS + 1000);
    expect(live).toBeLessThanOrEqual(STREAM_BACK_MS + 1000);
  });

  it('503 with Retry-After: 10: no probe, the server is taken at its word; back within the 10 s it asked for', async () => {
    const s = await setup(6);
    const pushes = s.sent.push;
    expect(await outage(s, { status: 503, retryAfterSeconds: 10 }, MIN)).toBe(0);
    // One attempt per Retry-After (plus under 500 ms of jitter), not the backoff's.
    expect(s.sent.push - pushes).toBeGreaterThanOrEqual(5);
    expect(s.sent.push - pushes).toBeLessThanOrEqual(7);
    const { acked, live } = await recovery(s);
    expect(acked).toBeLessThanOrEqual(10_500 + 50);
    expect(live).toBeLessThanOrEqual(10_500 + 50);
  });

  it('ping answers but pushes get 503: the writes keep their own backoff, not one push per ping', async () => {
    const s = await setup(7);
    const pushes = s.sent.push;
    const pings = s.sent.ping;
    s.fake.setFaults({ blockPushes: true });
    s.client.mutate('t1', 'addMessage', userMessage('blocked'));
    await s.clock.advanceAsync(5 * MIN);
    // Full jitter capped at 30 s: about 25 attempts in 5 minutes, as without the probe.
    expect(s.sent.push - pushes).toBeLessThanOrEqual(30);
    // A ping answered while pushes fail proves nothing: at most one per refused push.
    expect(s.sent.ping - pings).toBeLessThanOrEqual(s.sent.push - pushes);
    expect(s.client.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'server-errors' });
    expect(s.client.getPendingItems()).toHaveLength(1);

    s.fake.setFaults({});
    await s.until(() => s.client.getPendingItems().length === 0, 31_000);
    expect(s.client.getHealthStatus().degraded).toBe(false);
  });

  it('every route 503, then pings answer while pushes still get 503: the ping ends the outage once, then the writes\' backoff goes on where it was', async () => {
    const s = await setup(8);
    await outage(s, { status: 503 }, 20_000);
    s.proxy.refuse({ status: 503, routes: ['push'] });
    const pushes = s.sent.push;
    await s.clock.advanceAsync(2 * MIN);
    // The recovery sends once; after that the backoff continues from its 20 s of failures
    // (waits up to 30 s), it does not start over at 500 ms: a handful of pushes, not 48 a minute.
    expect(s.sent.push - pushes).toBeLessThanOrEqual(12);
    expect(s.client.getPendingItems()).toHaveLength(1);
    // The stream and the pulls are back meanwhile.
    expect(s.client.getHealthStatus()).toMatchObject({ state: 'live', degradedReason: 'server-errors' });

    s.proxy.refuse(null);
    await s.until(() => s.client.getPendingItems().length === 0, 31_000);
  });
});

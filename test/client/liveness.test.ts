import type { HealthStatus } from 'syncline';
import { FRAME_MS } from '../../src/platform/environment.js';
import { rig, userMessage, type Rig } from '../helpers.js';

const MIN = 60_000;

async function pullsOver(ms: number, r: Rig, each?: () => void) {
  const before = r.fake.stats().requests.pull;
  for (let t = 0; t < ms; t += 1000) {
    each?.();
    await r.clock.advanceAsync(1000);
  }
  return r.fake.stats().requests.pull - before;
}

describe('the adaptive poller inside the client (fake clock)', () => {
  it('makes 0 pulls in 10 idle minutes while push is live', async () => {
    const r = await rig();
    r.client.watch('t1');
    await r.clock.advanceAsync(5000);
    expect(r.client.getHealthStatus()).toMatchObject({ state: 'live', transport: 'sse' });
    expect(await pullsOver(10 * MIN, r)).toBe(0);
  });

  it('makes at most 12 pulls in 10 idle minutes with push unavailable', async () => {
    const r = await rig({}, { faults: { stream: { refuse: true } } });
    r.client.watch('t1');
    await r.clock.advanceAsync(100);
    expect(r.client.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'stream-unavailable' });
    expect(await pullsOver(10 * MIN, r)).toBeLessThanOrEqual(12);
  });

  it('stays at activeMs while the user is active', async () => {
    const r = await rig({ poll: { activeMs: 5000, idleMs: 60_000 } }, { faults: { stream: { refuse: true } } });
    r.client.watch('t1');
    let tick = 0;
    const pulls = await pullsOver(10 * MIN, r, () => {
      if (tick++ % 3 === 0) r.client.recordActivity();
    });
    // 600 s / 5 s = 120 pulls, give or take the first and the last.
    expect(pulls).toBeGreaterThanOrEqual(118);
    expect(pulls).toBeLessThanOrEqual(122);
  });
});

describe('health inside the client (fake clock)', () => {
  it('degrades once on a silent stream, polls meanwhile, recovers once after a frame', async () => {
    const degraded: HealthStatus[] = [];
    const recovered: HealthStatus[] = [];
    const r = await rig({ onDegraded: (h) => degraded.push(h), onRecovered: (h) => recovered.push(h) });
    r.client.watch('t1');
    await r.clock.advanceAsync(4000);
    expect(r.client.getHealthStatus().state).toBe('live');
    expect(recovered).toHaveLength(0); // never on the first connect

    r.fake.setFaults({ stream: { stall: true } });
    const stalledAt = r.clock.now();
    await r.until(() => r.client.getHealthStatus().degraded);
    expect(r.clock.now() - stalledAt).toBeLessThanOrEqual(7000 + 1000);
    expect(r.client.getHealthStatus()).toMatchObject({ degradedReason: 'stale', state: 'polling' });

    // Remote changes still arrive, by polling (an idle user: at most idleMs apart).
    const other = r.another();
    other.mutate('t1', 'addMessage', userMessage('remote'));
    await r.until(() => r.client.getThread('t1')?.messages.length === 1, 61_000);

    r.fake.setFaults({});
    await r.until(() => !r.client.getHealthStatus().degraded, 60_000);
    expect(r.client.getHealthStatus()).toMatchObject({ state: 'live', transport: 'sse', reconnectAttempts: 0 });
    await r.clock.advanceAsync(30_000);
    expect(degraded.map((h) => h.degradedReason)).toEqual(["stale"]);
    expect(recovered).toHaveLength(1);
  });

  it('reports a failed push in the same task, and offline from the page', async () => {
    const r = await rig({}, { faults: { errorRate: 1 } });
    r.client.mutate('t1', 'addMessage', userMessage('m1'));
    await r.clock.advanceAsync(150);
    expect(r.client.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'server-errors' });
    r.env.setOnline(false);
    expect(r.client.getHealthStatus()).toMatchObject({ state: 'offline', degradedReason: 'offline' });
    expect(r.client.getSyncStatus('t1').state).toBe('offline');
  });
});

describe('telling "cut off" from "server down" (fake clock)', () => {
  it('a failed push is followed by a ping: unreachable reads offline, a 503 reads server-errors', async () => {
    const r = await rig({}, { faults: { offline: true } });
    r.client.mutate('t1', 'addMessage', userMessage('m1'));
    await r.clock.advanceAsync(150);
    expect(r.fake.stats().requests.ping).toBeGreaterThanOrEqual(1);
    expect(r.client.getHealthStatus()).toMatchObject({ state: 'offline', degradedReason: 'offline' });
    expect(r.client.getSyncStatus('t1').state).toBe('offline');

    // Reachable again, but the server refuses writes: the next push attempt says so.
    r.fake.setFaults({ blockPushes: true });
    await r.until(() => r.client.getHealthStatus().degradedReason === 'server-errors');
    await r.until(() => r.client.getHealthStatus().state === 'live'); // the stream is back meanwhile
    expect(r.client.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'server-errors' });
    expect(r.client.getSyncStatus('t1').state).toBe('pending');

    r.fake.setFaults({});
    await r.until(() => r.client.getPendingItems().length === 0);
    await r.until(() => !r.client.getHealthStatus().degraded);
  });
});

describe('streamed deltas (fake clock)', () => {
  it('2 000 deltas with duplicates and reordering: exact content, commits ≤ frames elapsed', async () => {
    const r = await rig({}, { faults: { stream: { duplicateRate: 0.05, reorderRate: 0.05 }, seed: 3 } });
    r.client.watch('t1');
    r.client.mutate('t1', 'addMessage', userMessage('q', 'question'));
    await r.clock.advanceAsync(5000);
    let commits = 0;
    const unsubscribe = r.client.store.subscribe(() => commits++);
    const started = r.clock.now();
    const reply = r.fake.reply('t1', { tokens: 2000, intervalMs: 1 });
    await r.until(() => {
      const server = r.fake.thread('t1')!;
      return server.messages[1]?.status === 'done' && r.client.getThread('t1')?.v === server.v;
    });
    unsubscribe();
    const frames = Math.ceil((r.clock.now() - started) / FRAME_MS);
    expect(reply).toBeTruthy();
    expect(r.client.getThread('t1')).toEqual(r.fake.thread('t1'));
    expect(r.fake.thread('t1')!.messages[1]!.content.length).toBeGreaterThan(2000);
    expect(commits).toBeLessThanOrEqual(frames);
  });
});

describe('start, reconnect and the length of an episode (fake clock)', () => {
  it('pulls threads watched before start()', async () => {
    const { createSyncClient, createMemoryStorage } = await import('syncline');
    const r = await rig();
    r.fake.backend.serverWrite('early', 'addMessage', userMessage('there-already'));
    const late = createSyncClient({ connector: r.fake.connector, clock: r.clock, environment: r.env, storage: createMemoryStorage() });
    late.watch('early');
    late.start();
    await r.clock.advanceAsync(50);
    expect(late.getThread('early')?.messages.map((m) => m.id)).toEqual(['there-already']);
    late.dispose();
  });

  it('reconnect() sends waiting writes without waiting out the backoff, and pulls', async () => {
    const r = await rig({ retry: { baseMs: 60_000, maxMs: 60_000 } }, { faults: { errorRate: 1 } });
    r.client.mutate('t1', 'addMessage', userMessage('m1'));
    await r.clock.advanceAsync(1000);
    expect(r.client.getPendingItems()).toHaveLength(1);
    r.fake.setFaults({});
    const pulls = r.fake.stats().requests.pull;
    r.client.reconnect();
    await r.clock.advanceAsync(50);
    expect(r.client.getPendingItems()).toEqual([]);
    expect(r.fake.stats().requests.pull).toBeGreaterThan(pulls);
  });

  it('degradedSince spans the whole episode while its reasons change', async () => {
    const r = await rig({}, { faults: { stream: { refuse: true } } });
    r.client.watch('t1');
    await r.clock.advanceAsync(100);
    const since = r.client.getHealthStatus().degradedSince;
    expect(since).not.toBeNull();
    r.env.setOnline(false);
    await r.clock.advanceAsync(5000);
    expect(r.client.getHealthStatus()).toMatchObject({ degradedReason: 'offline', degradedSince: since });
    r.env.setOnline(true);
    r.fake.setFaults({});
    await r.until(() => !r.client.getHealthStatus().degraded);
    expect(r.client.getHealthStatus().degradedSince).toBeNull();
  });
});

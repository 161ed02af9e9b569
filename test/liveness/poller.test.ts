import { describe, expect, it } from 'vitest';
import { SyncError } from '../../src/model/errors.js';
import { createPoller, type PollerOptions } from '../../src/liveness/poller.js';
import { createFakeClock, createFakeEnvironment, type FakeClock } from 'syncline/testing';
import { pullsPerIdleHour } from '../../bench/liveness.js';

const MIN = 60_000;

interface Harness {
  clock: FakeClock;
  environment: ReturnType<typeof createFakeEnvironment>;
  poller: ReturnType<typeof createPoller>;
  pulls: number[];
  push: { live: boolean };
  concurrent: { now: number; max: number };
}

/**
 * A poller whose pull takes `pullMs` of fake time and fails while `fail()` says so.
 */
function setup(
  options: Partial<PollerOptions> & { pullMs?: number; fail?: (n: number) => SyncError | null; visible?: boolean } = {},
): Harness {
  const clock = createFakeClock({ now: 0, seed: 7 });
  const environment = createFakeEnvironment(clock, { visible: options.visible ?? true });
  const pulls: number[] = [];
  const push = { live: false };
  const concurrent = { now: 0, max: 0 };
  const poller = createPoller({
    clock,
    environment,
    retry: { baseMs: 500, maxMs: 30_000 },
    isStreamLive: () => push.live,
    pull: () => {
      const n = pulls.push(clock.now());
      concurrent.now += 1;
      concurrent.max = Math.max(concurrent.max, concurrent.now);
      const error = options.fail?.(n) ?? null;
      return new Promise<void>((resolve, reject) => {
        const finish = () => {
          concurrent.now -= 1;
          if (error) reject(error);
          else resolve();
        };
        if (options.pullMs) clock.setTimeout(finish, options.pullMs);
        else finish();
      });
    },
    ...options,
  });
  // The client hands environment events on (src/client/createSyncClient.ts); here, the test does.
  environment.subscribe(poller.handleEnvironment);
  return { clock, environment, poller, pulls, push, concurrent };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('createPoller budgets', () => {
  it('makes no pull in 10 idle minutes while push is live', async () => {
    const h = setup();
    h.push.live = true;
    h.poller.start();
    await h.clock.advanceAsync(10 * MIN);
    expect(h.pulls).toHaveLength(0);
  });

  it('makes at most 12 pulls in 10 idle minutes with push down and the tab visible', async () => {
    const h = setup();
    h.poller.start();
    await h.clock.advanceAsync(10 * MIN);
    expect(h.pulls.length).toBeGreaterThan(0);
    expect(h.pulls.length).toBeLessThanOrEqual(12);
  });

  it('stays at activeMs while the user is active every few seconds', async () => {
    const h = setup();
    h.poller.start();
    for (let t = 0; t < 5 * MIN; t += 3000) {
      h.environment.emit('activity');
      await h.clock.advanceAsync(3000);
    }
    expect(h.pulls.length).toBeGreaterThanOrEqual(59);
    expect(new Set(gaps(h.pulls))).toEqual(new Set([5000]));
  });

  it('stretches toward idleMs as activity decays', async () => {
    const h = setup();
    h.poller.start();
    h.poller.recordActivity();
    await h.clock.advanceAsync(10 * MIN);
    const g = gaps(h.pulls);
    expect(g[0]).toBe(5000);
    // non-decreasing, doubling on the way, ending at idleMs
    for (let i = 1; i < g.length; i++) expect(g[i]!).toBeGreaterThanOrEqual(g[i - 1]!);
    expect(g).toContain(10_000);
    expect(g).toContain(20_000);
    expect(g.at(-1)).toBe(60_000);
  });

  it('polls at idleMs while the tab is hidden, however active', async () => {
    const h = setup({ visible: false });
    h.poller.start();
    for (let t = 0; t < 5 * MIN; t += 2000) {
      h.poller.recordActivity();
      await h.clock.advanceAsync(2000);
    }
    expect(h.pulls).toHaveLength(5);
    expect(new Set(gaps(h.pulls))).toEqual(new Set([60_000]));
  });

  it('speeds up at once when a quiet user comes back', async () => {
    const h = setup();
    h.poller.start();
    await h.clock.advanceAsync(50_000);
    expect(h.pulls).toHaveLength(0);
    h.poller.recordActivity(); // the last pull (start) was 50 s ago: one is due now
    await h.clock.advanceAsync(0);
    expect(h.pulls).toEqual([50_000]);
    // Active again: the next one follows activeMs later.
    await h.clock.advanceAsync(4999);
    expect(h.pulls).toEqual([50_000]);
    await h.clock.advanceAsync(1);
    expect(h.pulls).toEqual([50_000, 55_000]);
  });

  it('pulls at once when push stops being live after a long quiet spell', async () => {
    const h = setup();
    h.push.live = true;
    h.poller.start();
    await h.clock.advanceAsync(30 * MIN);
    expect(h.pulls).toHaveLength(0);
    h.push.live = false;
    h.poller.streamStateChanged();
    await h.clock.advanceAsync(0);
    expect(h.pulls).toEqual([30 * MIN]);
    h.push.live = true;
    h.poller.streamStateChanged();
    await h.clock.advanceAsync(30 * MIN);
    expect(h.pulls).toEqual([30 * MIN]);
  });
});

describe('createPoller immediate pulls', () => {
  it('pulls at once on focus, on online and on pullNow', async () => {
    const h = setup();
    h.push.live = true;
    h.poller.start();
    await h.clock.advanceAsync(1000);
    h.environment.emit('focus');
    await h.clock.advanceAsync(1000);
    h.environment.setOnline(false);
    await h.clock.advanceAsync(1000);
    h.environment.setOnline(true);
    await h.clock.advanceAsync(1000);
    await h.poller.pullNow();
    expect(h.pulls).toEqual([1000, 3000, 4000]);
  });

  it('makes no interval pull while offline', async () => {
    const h = setup();
    h.poller.start();
    h.environment.setOnline(false);
    await h.clock.advanceAsync(10 * MIN);
    expect(h.pulls).toHaveLength(0);
    h.environment.setOnline(true);
    await h.clock.advanceAsync(0);
    expect(h.pulls).toEqual([10 * MIN]);
  });

  it('never runs two pulls at once: requests during a pull make one follow-up', async () => {
    const h = setup({ pullMs: 1000 });
    h.poller.start();
    const first = h.poller.pullNow();
    const second = h.poller.pullNow();
    h.environment.emit('focus');
    h.environment.setOnline(false);
    h.environment.setOnline(true);
    const third = h.poller.pullNow();
    let resolved = 0;
    void first.then(() => resolved++);
    void second.then(() => resolved++);
    void third.then(() => resolved++);
    await h.clock.advanceAsync(999);
    expect(resolved).toBe(0);
    await h.clock.advanceAsync(1);
    expect(resolved).toBe(1); // `first` covered by the pull that started with it
    await h.clock.advanceAsync(1000);
    expect(resolved).toBe(3); // the others by the single follow-up
    expect(h.pulls).toEqual([0, 1000]);
    expect(h.concurrent.max).toBe(1);
  });

  it('pullNow resolves at once when stopped, without pulling', async () => {
    const h = setup();
    await h.poller.pullNow();
    h.poller.start();
    h.poller.stop();
    await h.poller.pullNow();
    expect(h.pulls).toHaveLength(0);
  });

  it('stop clears every timer and resolves waiting callers', async () => {
    const h = setup({ pullMs: 1000 });
    h.poller.start();
    void h.poller.pullNow();
    const waiting = h.poller.pullNow();
    h.poller.stop();
    await waiting;
    await h.clock.advanceAsync(1000);
    expect(h.clock.pendingTimers()).toBe(0);
    h.environment.emit('focus');
    await h.clock.advanceAsync(10 * MIN);
    expect(h.pulls).toEqual([0]);
  });
});

describe('createPoller errors', () => {
  it('backs off with full jitter capped by maxMs, and resets after a success', async () => {
    const failing = { until: 12 };
    const h = setup({ fail: (n) => (n <= failing.until ? new SyncError('http', '503', { status: 503, retryable: true }) : null) });
    h.push.live = true; // retries happen even with push live, and nothing else pulls
    h.poller.start();
    await h.poller.pullNow();
    await h.clock.advanceAsync(10 * MIN);
    const g = gaps(h.pulls);
    expect(h.pulls).toHaveLength(13);
    g.forEach((gap, i) => expect(gap).toBeLessThanOrEqual(Math.min(30_000, 500 * 2 ** i)));
    expect(new Set(g).size).toBeGreaterThan(8); // jittered, not fixed
    // after the success: push is live, so nothing more
    await h.clock.advanceAsync(10 * MIN);
    expect(h.pulls).toHaveLength(13);
  });

  it('does not poll faster than the interval because of failures', async () => {
    const h = setup({ fail: () => new SyncError('network', 'down') });
    h.poller.start();
    await h.clock.advanceAsync(10 * MIN);
    expect(h.pulls.length).toBeLessThanOrEqual(12);
  });

  it('honours Retry-After', async () => {
    const h = setup({ fail: (n) => (n === 1 ? new SyncError('http', '429', { status: 429, retryAfterMs: 20_000 }) : null) });
    h.push.live = true;
    h.poller.start();
    await h.poller.pullNow();
    await h.clock.advanceAsync(19_999);
    expect(h.pulls).toHaveLength(1);
    await h.clock.advanceAsync(1000);
    expect(h.pulls).toHaveLength(2);
  });

  it('a pull that throws synchronously is a failed pull', async () => {
    const clock = createFakeClock({ now: 0 });
    let calls = 0;
    const poller = createPoller({
      clock,
      environment: createFakeEnvironment(clock),
      isStreamLive: () => true,
      pull: () => {
        calls += 1;
        if (calls === 1) throw new Error('bug');
        return Promise.resolve();
      },
    });
    poller.start();
    await poller.pullNow();
    await clock.advanceAsync(1000);
    expect(calls).toBe(2);
  });
});

describe('bench/liveness pullsPerIdleHour', () => {
  it('reports 0 with push live and at most the idle rate with push down', async () => {
    expect(await pullsPerIdleHour({ pushLive: true })).toBe(0);
    const down = await pullsPerIdleHour({ pushLive: false });
    expect(down).toBeGreaterThan(0);
    expect(down).toBeLessThanOrEqual(60);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { SyncError } from '../../src/model/errors.js';
import { createHealthMonitor, type HealthEvent } from '../../src/liveness/health.js';
import { errorFromStatus } from '../../src/transport/httpErrors.js';
import { createStreamChannel, type StreamChannelOptions } from '../../src/liveness/streamChannel.js';
import type { ServerEvent, StreamOptions, SyncConnector } from '../../src/protocol/wire.js';
import { createFakeClock, createFakeEnvironment } from 'syncline/testing';
import { timeToDetectSilentStream } from '../../bench/liveness.js';

interface ScriptedStream {
  options: StreamOptions;
  openedAt: number;
  aborted: boolean;
  settled: boolean;
  open(): void;
  frame(): void;
  event(event: ServerEvent): void;
  end(): void;
  fail(error: unknown): void;
}

/** A connector whose streams the test drives by hand, or through `onOpenStream`. */
function scriptedConnector(clock: { now(): number }, onOpenStream?: (s: ScriptedStream) => void) {
  const streams: ScriptedStream[] = [];
  const connector: SyncConnector = {
    push: () => Promise.reject(new Error('unused')),
    pull: () => Promise.reject(new Error('unused')),
    ping: () => Promise.resolve(),
    openStream(options) {
      return new Promise<void>((resolve, reject) => {
        const s: ScriptedStream = {
          options,
          openedAt: clock.now(),
          aborted: false,
          settled: false,
          open: () => options.onOpen(),
          frame: () => options.onFrame(),
          event: (e) => options.onEvent(e),
          end: () => {
            s.settled = true;
            resolve();
          },
          fail: (error) => {
            s.settled = true;
            reject(error);
          },
        };
        options.signal.addEventListener('abort', () => {
          s.aborted = true;
          s.settled = true;
          resolve();
        });
        streams.push(s);
        onOpenStream?.(s);
      });
    },
  };
  return { connector, streams };
}

const unavailable = () => new SyncError('http', 'events answered 503', { status: 503, retryable: true });

function setup(
  options: Partial<StreamChannelOptions> & { seed?: number; online?: boolean; onOpenStream?: (s: ScriptedStream) => void } = {},
) {
  const clock = createFakeClock({ now: 0, seed: options.seed ?? 3 });
  const environment = createFakeEnvironment(clock, { online: options.online ?? true });
  const { connector, streams } = scriptedConnector(clock, options.onOpenStream);
  const health = createHealthMonitor({ clock, environment });
  health.dispatch({ type: 'start' });
  const events: HealthEvent[] = [];
  const received: ServerEvent[] = [];
  const onReconnected = vi.fn();
  const onLiveChange = vi.fn();
  const channel = createStreamChannel({
    connector,
    clock,
    environment,
    retry: { baseMs: 500, maxMs: 30_000 },
    getCursor: () => 'c1',
    onEvent: (e) => received.push(e),
    onHealth: (e) => {
      events.push(e);
      health.dispatch(e);
    },
    onReconnected,
    onLiveChange,
    ...options,
  });
  environment.subscribe(channel.handleEnvironment);
  const types = () => events.map((e) => e.type);
  return { clock, environment, connector, streams, health, events, types, received, channel, onReconnected, onLiveChange };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('createStreamChannel', () => {
  it('reports stream-unsupported and stays idle without openStream', async () => {
    const clock = createFakeClock({ now: 0 });
    const onHealth = vi.fn();
    const channel = createStreamChannel({
      connector: { push: vi.fn(), pull: vi.fn(), ping: vi.fn() },
      clock,
      environment: createFakeEnvironment(clock),
      getCursor: () => null,
      onEvent: vi.fn(),
      onHealth,
    });
    channel.start();
    await clock.advanceAsync(60_000);
    expect(onHealth.mock.calls).toEqual([[{ type: 'stream-unsupported' }]]);
    expect(channel.isLive()).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('is live from the first frame, not from the open', async () => {
    const h = setup();
    h.channel.start();
    expect(h.streams).toHaveLength(1);
    expect(h.streams[0]!.options.cursor).toBe('c1');
    h.streams[0]!.open();
    expect(h.channel.isLive()).toBe(false);
    expect(h.health.get().state).toBe('connecting');
    await h.clock.advanceAsync(1000);
    h.streams[0]!.frame();
    expect(h.channel.isLive()).toBe(true);
    expect(h.health.get()).toMatchObject({ state: 'live', transport: 'sse', lastFrameAt: 1000 });
    expect(h.types()).toEqual(['stream-connecting', 'stream-open', 'frame']);
    expect(h.onLiveChange.mock.calls).toEqual([[true]]);
    expect(h.onReconnected).not.toHaveBeenCalled(); // the first connect is not a reconnect
  });

  it('forwards events, and an event counts as a frame', () => {
    const h = setup();
    h.channel.start();
    const event: ServerEvent = { type: 'reset', id: null };
    h.streams[0]!.event(event);
    expect(h.received).toEqual([event]);
    expect(h.channel.isLive()).toBe(true);
  });

  it('detects a silent stream within staleAfterMs + 1 s, aborts it and reconnects', async () => {
    const h = setup({ staleAfterMs: 7000 });
    h.channel.start();
    h.streams[0]!.open();
    for (let i = 0; i < 3; i++) {
      h.streams[0]!.frame();
      await h.clock.advanceAsync(3000);
    }
    const lastFrameAt = 6000;
    await h.clock.advanceAsync(4000); // now 13 000: 7 s after the last frame
    const stale = h.events.findIndex((e) => e.type === 'stream-stale');
    expect(stale).toBeGreaterThan(0);
    expect(h.health.get()).toMatchObject({ state: 'polling', degraded: true, degradedReason: 'stale', stateEnteredAt: lastFrameAt + 7000 });
    expect(h.health.get().stateEnteredAt - lastFrameAt).toBeLessThanOrEqual(8000);
    expect(h.streams[0]!.aborted).toBe(true);
    expect(h.channel.isLive()).toBe(false);
    expect(h.onLiveChange.mock.calls).toEqual([[true], [false]]);
    await h.clock.advanceAsync(500); // first reconnect: full jitter under baseMs
    expect(h.streams).toHaveLength(2);
    // the aborted stream's end is not a second failure
    expect(h.types().filter((t) => t === 'stream-failed')).toHaveLength(0);
  });

  it('a connection attempt that hangs is as stale as a silent stream', async () => {
    const h = setup({ staleAfterMs: 7000 });
    h.channel.start();
    await h.clock.advanceAsync(7000);
    expect(h.types()).toContain('stream-stale');
    expect(h.streams[0]!.aborted).toBe(true);
  });

  it('meets the bench budget for a silent dead stream', async () => {
    const detected = await timeToDetectSilentStream({ staleAfterMs: 7000 });
    expect(detected).toBeGreaterThan(0);
    expect(detected).toBeLessThanOrEqual(8000);
  });

  it('reconnects with full-jitter backoff, capped by retry.maxMs', async () => {
    const run = async (seed: number) => {
      const h = setup({ seed, onOpenStream: (s) => s.fail(unavailable()) });
      h.channel.start();
      await h.clock.advanceAsync(20 * 60_000);
      h.channel.stop();
      return h;
    };
    const h = await run(3);
    const times = h.streams.map((s) => s.openedAt);
    const g = gaps(times);
    expect(g.length).toBeGreaterThan(40);
    g.forEach((gap, attempt) => expect(gap).toBeLessThan(Math.min(30_000, 500 * 2 ** attempt)));
    expect(Math.max(...g.slice(10))).toBeGreaterThan(15_000); // grows to the cap…
    expect(new Set(g).size).toBeGreaterThan(g.length - 3); // …with jitter, not fixed steps
    expect(h.health.get()).toMatchObject({ degradedReason: 'stream-unavailable', reconnectAttempts: h.streams.length });
    const other = await run(4);
    expect(gaps(other.streams.map((s) => s.openedAt)).slice(0, 10)).not.toEqual(g.slice(0, 10));
  });

  it('publishes when the next attempt is due', async () => {
    const h = setup({ onOpenStream: (s) => s.fail(unavailable()) });
    h.channel.start();
    await h.clock.advanceAsync(0);
    const failed = h.events.find((e) => e.type === 'stream-failed');
    expect(failed).toMatchObject({ type: 'stream-failed', offline: false });
    const due = h.health.get().nextRetryAt!;
    expect(due).toBeGreaterThanOrEqual(0);
    expect(due).toBeLessThan(500);
    await h.clock.advanceAsync(due);
    expect(h.streams).toHaveLength(2);
    expect(h.streams[1]!.openedAt).toBe(due);
  });

  it('caps a long Retry-After by retry.maxMs', async () => {
    let n = 0;
    const h = setup({
      retry: { baseMs: 500, maxMs: 2000 },
      onOpenStream: (s) => {
        if (n++ === 0) s.fail(new SyncError('http', '503', { status: 503, retryable: true, retryAfterMs: 120_000 }));
      },
    });
    h.channel.start();
    await h.clock.advanceAsync(2000);
    expect(h.streams).toHaveLength(2);
  });

  it("lets the server's retry: hint raise the base", async () => {
    const h = setup({
      onOpenStream: (s) => {
        s.options.onRetryHint?.(20_000);
        s.event({ type: 'reset', id: null }); // a real event: attempts reset, every reconnect below is attempt 0
        s.fail(unavailable());
      },
    });
    h.channel.start();
    await h.clock.advanceAsync(10 * 60_000);
    h.channel.stop();
    const g = gaps(h.streams.map((s) => s.openedAt));
    expect(g.length).toBeGreaterThan(20);
    expect(Math.max(...g)).toBeLessThan(20_000);
    expect(Math.max(...g)).toBeGreaterThan(5000);
  });

  it('caps a retry: hint at maxMs and ignores garbage', async () => {
    for (const hint of [2 ** 40, Infinity, NaN, -5]) {
      const h = setup({
        retry: { baseMs: 500, maxMs: 4000 },
        onOpenStream: (s) => {
          s.options.onRetryHint?.(hint);
          s.fail(unavailable());
        },
      });
      h.channel.start();
      await h.clock.advanceAsync(60_000);
      h.channel.stop();
      const g = gaps(h.streams.map((s) => s.openedAt));
      // Capped at 4 s: 15 reconnects a minute at the least, never a storm.
      expect(g.length, `hint ${hint}`).toBeGreaterThan(14);
      expect(Math.max(...g), `hint ${hint}`).toBeLessThanOrEqual(4000);
      expect(Math.min(...g.slice(5)), `hint ${hint}`).toBeGreaterThan(0);
    }
  });

  it('resets the attempts after one real event', async () => {
    let n = 0;
    const h = setup({
      onOpenStream: (s) => {
        n += 1;
        if (n <= 8) s.fail(unavailable());
        else if (n === 9) s.event({ type: 'reset', id: null });
      },
    });
    h.channel.start();
    while (h.streams.length < 9) await h.clock.advanceAsync(100);
    expect(h.health.get().reconnectAttempts).toBe(0);
    expect(h.streams).toHaveLength(9);
    expect(h.health.get()).toMatchObject({ state: 'live', reconnectAttempts: 0, degraded: false });
    const before = h.clock.now();
    h.streams[8]!.fail(unavailable());
    await h.clock.advanceAsync(500); // attempt 0 again: under baseMs, not the 30 s of attempt 8
    expect(h.streams).toHaveLength(10);
    expect(h.streams[9]!.openedAt - before).toBeLessThan(500);
    expect(h.health.get().reconnectAttempts).toBe(1);
  });

  it('calls onReconnected on the first frame of each later stream, once', async () => {
    const h = setup();
    h.channel.start();
    h.streams[0]!.frame();
    h.streams[0]!.end(); // a clean end is a break too
    await h.clock.advanceAsync(500);
    expect(h.types()).toContain('stream-failed');
    expect(h.streams).toHaveLength(2);
    expect(h.onReconnected).not.toHaveBeenCalled();
    h.streams[1]!.open();
    expect(h.onReconnected).not.toHaveBeenCalled(); // open is not live
    h.streams[1]!.frame();
    h.streams[1]!.frame();
    expect(h.onReconnected).toHaveBeenCalledTimes(1);
    // a reconnect after a stale stream counts too
    await h.clock.advanceAsync(7000);
    await h.clock.advanceAsync(500);
    h.streams[2]!.frame();
    expect(h.onReconnected).toHaveBeenCalledTimes(2);
  });

  it('keeps the backoff growing for a stream that opens, sends one keepalive and closes', async () => {
    const h = setup({
      onOpenStream: (s) => {
        s.open();
        s.frame();
        s.end();
      },
    });
    h.channel.start();
    await h.clock.advanceAsync(60_000);
    h.channel.stop();
    // Attempt n waits up to min(30 s, 500 ms · 2^n): about a dozen streams a minute, not hundreds.
    expect(h.streams.length).toBeLessThan(20);
  });

  it('resets the attempts after staleAfterMs of frames without a gap, not before', async () => {
    let n = 0;
    const h = setup({
      staleAfterMs: 7000,
      onOpenStream: (s) => {
        n += 1;
        if (n <= 8) s.fail(unavailable());
      },
    });
    h.channel.start();
    while (h.streams.length < 9) await h.clock.advanceAsync(100);
    const healthy = h.streams[8]!;
    healthy.frame();
    for (let t = 0; t < 6000; t += 3000) {
      await h.clock.advanceAsync(3000);
      healthy.frame();
    }
    // 6 s of keepalives: not proven yet, the next failure is still attempt 9 (up to 30 s).
    let before = h.clock.now();
    healthy.fail(unavailable());
    await h.clock.advanceAsync(30_000);
    expect(h.streams).toHaveLength(10);
    const tenth = h.streams[9]!;
    expect(tenth.openedAt - before).toBeGreaterThan(500); // seeded: a draw from [0, 30 s)
    tenth.frame();
    for (let t = 0; t < 9000; t += 3000) {
      await h.clock.advanceAsync(3000);
      tenth.frame();
    }
    before = h.clock.now();
    tenth.fail(unavailable());
    await h.clock.advanceAsync(500); // attempt 0 again
    expect(h.streams).toHaveLength(11);
    expect(h.streams[10]!.openedAt - before).toBeLessThan(500);
  });

  it('treats a 409 on the stream as a server error and keeps reconnecting (only a push is fenced)', async () => {
    const h = setup({
      retry: { baseMs: 500, maxMs: 5000 },
      onOpenStream: (s) => s.fail(errorFromStatus(409, 'GET /events', { now: 0 })),
    });
    h.channel.start();
    await h.clock.advanceAsync(60_000);
    expect(h.streams.length).toBeGreaterThan(10);
    expect(h.health.get()).toMatchObject({ degraded: true, degradedReason: 'stream-unavailable' });
    expect(h.health.get().nextRetryAt).not.toBeNull();
  });

  it('waits for online instead of hammering, then reconnects at once', async () => {
    const h = setup();
    h.channel.start();
    h.streams[0]!.frame();
    h.environment.setOnline(false);
    h.streams[0]!.fail(new SyncError('network', 'fetch failed'));
    await h.clock.advanceAsync(0);
    expect(h.health.get()).toMatchObject({ state: 'offline', degradedReason: 'offline' });
    await h.clock.advanceAsync(5 * 60_000);
    expect(h.streams).toHaveLength(1);
    expect(h.clock.pendingTimers()).toBe(0);
    h.environment.setOnline(true);
    expect(h.streams).toHaveLength(2);
    expect(h.streams[1]!.openedAt).toBe(5 * 60_000);
  });

  it('does not connect while offline at start; connects on online', async () => {
    const h = setup({ online: false });
    h.channel.start();
    await h.clock.advanceAsync(60_000);
    expect(h.streams).toHaveLength(0);
    expect(h.health.get().state).toBe('offline');
    h.environment.setOnline(true);
    expect(h.streams).toHaveLength(1);
  });

  it('coming back online cuts a pending backoff short', async () => {
    const h = setup({ onOpenStream: (s) => s.fail(unavailable()) });
    h.channel.start();
    await h.clock.advanceAsync(60_000);
    const opened = h.streams.length;
    expect(h.health.get().nextRetryAt).toBeGreaterThan(h.clock.now());
    h.environment.setOnline(false);
    h.environment.setOnline(true);
    expect(h.streams).toHaveLength(opened + 1);
  });

  it('stop aborts the stream, clears every timer and ignores late callbacks', async () => {
    const h = setup();
    h.channel.start();
    const s = h.streams[0]!;
    s.frame();
    h.channel.stop();
    expect(s.aborted).toBe(true);
    expect(h.channel.isLive()).toBe(false);
    expect(h.clock.pendingTimers()).toBe(0);
    const seen = h.events.length;
    s.frame();
    s.event({ type: 'reset', id: null });
    await h.clock.advanceAsync(60_000);
    expect(h.events).toHaveLength(seen);
    expect(h.received).toHaveLength(0);
    expect(h.streams).toHaveLength(1);
  });

  it('treats a synchronous throw from openStream as a failed attempt', async () => {
    const clock = createFakeClock({ now: 0 });
    const onHealth = vi.fn();
    let calls = 0;
    const channel = createStreamChannel({
      connector: {
        push: vi.fn(),
        pull: vi.fn(),
        ping: vi.fn(),
        openStream: () => {
          calls += 1;
          throw new Error('bad url');
        },
      },
      clock,
      environment: createFakeEnvironment(clock),
      getCursor: () => null,
      onEvent: vi.fn(),
      onHealth,
    });
    channel.start();
    await clock.advanceAsync(1000);
    expect(calls).toBeGreaterThan(1);
    expect(onHealth.mock.calls.some(([e]) => e.type === 'stream-failed')).toBe(true);
    channel.stop();
  });
});

describe('createStreamChannel against createFakeBackend', () => {
  it('goes live, catches a stalled stream, survives a refused one and recovers', async () => {
    const { createFakeBackend } = await import('syncline/testing');
    const clock = createFakeClock({ now: 0, seed: 11 });
    const environment = createFakeEnvironment(clock);
    const fake = createFakeBackend({ clock, keepaliveMs: 3000 });
    const onDegraded = vi.fn();
    const onRecovered = vi.fn();
    const onReconnected = vi.fn();
    const health = createHealthMonitor({ clock, environment, onDegraded, onRecovered });
    const channel = createStreamChannel({
      connector: fake.connector,
      clock,
      environment,
      staleAfterMs: 7000,
      getCursor: () => null,
      onEvent: () => {},
      onHealth: health.dispatch,
      onReconnected,
    });
    health.dispatch({ type: 'start' });
    channel.start();
    await clock.advanceAsync(3500);
    expect(health.get().state).toBe('live');

    fake.setFaults({ stream: { stall: true } });
    const stalledAt = clock.now();
    await clock.advanceAsync(8000);
    expect(health.get().degradedReason).toMatch(/stale|stream-unavailable/);
    expect(health.get().stateEnteredAt - stalledAt).toBeLessThanOrEqual(8000);
    expect(onDegraded).toHaveBeenCalledTimes(1);

    // the stream reopened during the stall stays stalled; new ones are refused
    fake.setFaults({ stream: { stall: true, refuse: true } });
    await clock.advanceAsync(60_000);
    expect(health.get()).toMatchObject({ state: 'polling', degradedReason: 'stream-unavailable' });
    expect(onRecovered).not.toHaveBeenCalled();

    fake.setFaults({});
    await clock.advanceAsync(35_000); // at most one capped backoff, then a keepalive
    expect(health.get()).toMatchObject({ state: 'live', degraded: false });
    expect(onRecovered).toHaveBeenCalledTimes(1);
    expect(onReconnected).toHaveBeenCalledTimes(1);
    channel.stop();
    fake.close();
  });
});

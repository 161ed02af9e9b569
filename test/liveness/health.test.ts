import { describe, expect, it, vi } from 'vitest';
import { SyncError } from '../../src/model/errors.js';
import {
  createHealthMonitor,
  initialHealth,
  reduceHealth,
  reasonForError,
  type HealthEvent,
} from '../../src/liveness/health.js';
import type { HealthStatus } from '../../src/model/types.js';
import { createFakeClock, createFakeEnvironment } from 'syncline/testing';

const T0 = 1_000;
const http = (status: number) => new SyncError('http', `status ${status}`, { status, retryable: true });
const authError = new SyncError('auth', 'no', { status: 401 });
const fencedError = new SyncError('fenced', 'taken over', { status: 409 });
const networkError = new SyncError('network', 'fetch failed');
const timeoutError = new SyncError('timeout', 'too slow');

/** Runs events through the reducer, one ms apart. */
function run(events: HealthEvent[], from: HealthStatus = initialHealth(T0)): HealthStatus {
  let h = from;
  let now = T0;
  for (const e of events) h = reduceHealth(h, e, ++now);
  return h;
}

const live = (): HealthStatus => run([{ type: 'start' }, { type: 'stream-connecting' }, { type: 'stream-open' }, { type: 'frame' }]);

function monitor() {
  const clock = createFakeClock({ now: T0 });
  const environment = createFakeEnvironment(clock);
  const onChange = vi.fn();
  const onDegraded = vi.fn();
  const onRecovered = vi.fn();
  const m = createHealthMonitor({ clock, environment, onChange, onDegraded, onRecovered });
  return { clock, environment, m, onChange, onDegraded, onRecovered };
}

describe('reduceHealth', () => {
  it('starts stopped, connects on start, and is live only after the first frame', () => {
    const stopped = initialHealth(T0);
    expect(stopped).toMatchObject({ state: 'stopped', degraded: false, transport: null });
    const connecting = reduceHealth(stopped, { type: 'start' }, 10);
    expect(connecting).toMatchObject({ state: 'connecting', degraded: false, stateEnteredAt: 10 });
    const open = reduceHealth(reduceHealth(connecting, { type: 'stream-connecting' }, 11), { type: 'stream-open' }, 12);
    expect(open.state).toBe('connecting');
    expect(open.transport).toBeNull();
    expect(open.stateEnteredAt).toBe(10);
    const first = reduceHealth(open, { type: 'frame' }, 13);
    expect(first).toMatchObject({ state: 'live', transport: 'sse', degraded: false, lastFrameAt: 13, stateEnteredAt: 13 });
  });

  it('returns the same object when nothing changed', () => {
    const h = live();
    expect(reduceHealth(h, { type: 'stream-open' }, 99)).toBe(h);
    expect(reduceHealth(h, { type: 'online' }, 99)).toBe(h);
    const stopped = initialHealth(T0);
    expect(reduceHealth(stopped, { type: 'stop' }, 5)).toBe(stopped);
  });

  it('moves lastFrameAt on every frame but stateEnteredAt only when the state changes', () => {
    const h = live();
    const later = reduceHealth(h, { type: 'frame' }, 5_000);
    expect(later.lastFrameAt).toBe(5_000);
    expect(later.stateEnteredAt).toBe(h.stateEnteredAt);
  });

  it('a stream that cannot open degrades at once to polling with stream-unavailable', () => {
    const h = run([{ type: 'start' }, { type: 'stream-connecting' }, { type: 'stream-failed', error: http(503), nextRetryAt: 900 }]);
    expect(h).toMatchObject({
      state: 'polling',
      transport: 'polling',
      degraded: true,
      degradedReason: 'stream-unavailable',
      reconnectAttempts: 1,
      nextRetryAt: 900,
    });
    const again = reduceHealth(h, { type: 'stream-failed', error: networkError, nextRetryAt: 1900 }, 2_000);
    expect(again.reconnectAttempts).toBe(2);
    expect(again.stateEnteredAt).toBe(h.stateEnteredAt);
  });

  it('maps stream failures: 401/403 auth, offline environment offline; a 409 on the stream is no fencing', () => {
    const fail = (error: unknown, offline?: boolean) =>
      run([{ type: 'start' }, { type: 'stream-failed', error, nextRetryAt: null, offline }]);
    expect(fail(authError).degradedReason).toBe('auth');
    expect(fail(new SyncError('auth', 'forbidden', { status: 403 })).degradedReason).toBe('auth');
    expect(fail(fencedError).degradedReason).toBe('stream-unavailable');
    const off = fail(networkError, true);
    expect(off).toMatchObject({ state: 'offline', degradedReason: 'offline' });
    expect(fail(new Error('boom')).degradedReason).toBe('stream-unavailable');
  });

  it('a frame of a new stream clears stream degradation and resets attempts', () => {
    const failed = run([
      { type: 'start' },
      { type: 'stream-failed', error: http(502), nextRetryAt: 10 },
      { type: 'stream-failed', error: http(502), nextRetryAt: 20 },
      { type: 'stream-connecting' },
      { type: 'stream-open' },
    ]);
    expect(failed).toMatchObject({ degradedReason: 'stream-unavailable', reconnectAttempts: 2, nextRetryAt: null });
    const back = reduceHealth(failed, { type: 'frame' }, 50);
    expect(back).toMatchObject({ state: 'live', degraded: false, degradedReason: null, reconnectAttempts: 0, nextRetryAt: null });
  });

  it('a silent stream turns stale and polling', () => {
    const h = reduceHealth(live(), { type: 'stream-stale', nextRetryAt: 8_000 }, 7_500);
    expect(h).toMatchObject({ state: 'polling', transport: 'polling', degradedReason: 'stale', nextRetryAt: 8_000, stateEnteredAt: 7_500 });
    // its reconnect failing is a different truth: push is unavailable now
    const failed = reduceHealth(h, { type: 'stream-failed', error: http(503), nextRetryAt: 9_000 }, 8_000);
    expect(failed.degradedReason).toBe('stream-unavailable');
  });

  it('a connector without a stream is polling with stream-unavailable', () => {
    const h = run([{ type: 'start' }, { type: 'stream-unsupported' }]);
    expect(h).toMatchObject({ state: 'polling', transport: 'polling', degraded: true, degradedReason: 'stream-unavailable' });
    // successful pulls do not make push available
    const pulled = reduceHealth(h, { type: 'request-succeeded', request: 'pull' }, 5_000);
    expect(pulled).toMatchObject({ degradedReason: 'stream-unavailable', lastSyncedAt: 5_000 });
  });

  it('a failed request degrades at once and a success clears it', () => {
    const failed = reduceHealth(live(), { type: 'request-failed', error: http(500), request: 'push' }, 100);
    expect(failed).toMatchObject({ state: 'live', degraded: true, degradedReason: 'server-errors' });
    const ok = reduceHealth(failed, { type: 'request-succeeded', request: 'push' }, 200);
    expect(ok).toMatchObject({ state: 'live', degraded: false, degradedReason: null, lastSyncedAt: 200 });
  });

  it('keepalives do not clear a request failure; only a request success does', () => {
    const failed = reduceHealth(live(), { type: 'request-failed', error: authError, request: 'push' }, 100);
    expect(failed.degradedReason).toBe('auth');
    expect(reduceHealth(failed, { type: 'frame' }, 3_000).degradedReason).toBe('auth');
    expect(reduceHealth(failed, { type: 'request-succeeded', request: 'ping' }, 3_000).degradedReason).toBe('auth');
    expect(reduceHealth(failed, { type: 'request-succeeded', request: 'push' }, 3_000).degraded).toBe(false);
  });

  it('classifies request failures', () => {
    expect(reasonForError(http(503))).toBe('server-errors');
    expect(reasonForError(new SyncError('protocol', 'html page'))).toBe('server-errors');
    expect(reasonForError(networkError)).toBe('server-errors');
    expect(reasonForError(networkError, { offline: true })).toBe('offline');
    expect(reasonForError(timeoutError, { request: 'ping' })).toBe('offline');
    expect(reasonForError(networkError, { request: 'ping' })).toBe('offline');
    expect(reasonForError(authError)).toBe('auth');
    // 409 means fencing on a push only; on a pull or a ping it is the server failing
    expect(reasonForError(fencedError, { request: 'push' })).toBe('fenced');
    expect(reasonForError(fencedError, { request: 'pull' })).toBe('server-errors');
    expect(reasonForError(fencedError, { request: 'ping' })).toBe('server-errors');
    expect(reasonForError(fencedError)).toBe('server-errors');
    expect(reasonForError(new SyncError('rejected', 'not-found', { code: 'not-found' }))).toBeNull();
    expect(reasonForError(new TypeError('Failed to fetch'), { offline: true })).toBe('offline');
  });

  it('a request failing for a reason unrelated to the connection changes nothing', () => {
    const h = live();
    expect(reduceHealth(h, { type: 'request-failed', error: new SyncError('storage', 'quota') }, 5)).toBe(h);
  });

  it('a failed ping while online means the server is unreachable: offline until something gets through', () => {
    const h = reduceHealth(run([{ type: 'start' }, { type: 'stream-unsupported' }]), { type: 'request-failed', error: timeoutError, request: 'ping' }, 100);
    expect(h).toMatchObject({ state: 'offline', degradedReason: 'offline' });
    const back = reduceHealth(h, { type: 'request-succeeded', request: 'ping' }, 200);
    expect(back).toMatchObject({ state: 'polling', degradedReason: 'stream-unavailable', lastSyncedAt: null });
  });

  it('offline and online', () => {
    const off = reduceHealth(live(), { type: 'offline' }, 100);
    expect(off).toMatchObject({ state: 'offline', degraded: true, degradedReason: 'offline', stateEnteredAt: 100 });
    const on = reduceHealth(off, { type: 'online' }, 200);
    expect(on).toMatchObject({ state: 'live', degraded: false, stateEnteredAt: 200 });
  });

  it('follows the documented precedence: fenced > auth > offline > server-errors > stale > stream-unavailable', () => {
    let h = reduceHealth(live(), { type: 'stream-stale', nextRetryAt: 1 }, 10);
    expect(h.degradedReason).toBe('stale');
    h = reduceHealth(h, { type: 'request-failed', error: http(500) }, 11);
    expect(h.degradedReason).toBe('server-errors');
    h = reduceHealth(h, { type: 'offline' }, 12);
    expect(h.degradedReason).toBe('offline');
    h = reduceHealth(h, { type: 'request-failed', error: authError }, 13);
    expect(h).toMatchObject({ state: 'offline', degradedReason: 'auth' });
    h = reduceHealth(h, { type: 'request-failed', error: fencedError, request: 'push' }, 14);
    expect(h.degradedReason).toBe('fenced');
    // lower causes never displace a higher one
    h = reduceHealth(h, { type: 'stream-stale', nextRetryAt: 2 }, 15);
    expect(h.degradedReason).toBe('fenced');
  });

  it('unwinds to the next cause that still holds', () => {
    // offline while stale: back online, the stream is still down
    let h = reduceHealth(live(), { type: 'stream-stale', nextRetryAt: 1 }, 10);
    h = reduceHealth(h, { type: 'offline' }, 11);
    h = reduceHealth(h, { type: 'online' }, 12);
    expect(h).toMatchObject({ state: 'polling', degraded: true, degradedReason: 'stream-unavailable' });
    // auth over a broken stream: a push success clears auth, push stays unavailable
    h = reduceHealth(h, { type: 'request-failed', error: authError }, 13);
    h = reduceHealth(h, { type: 'request-succeeded' }, 14);
    expect(h.degradedReason).toBe('stream-unavailable');
    // a stale stream under server errors: the stream itself comes back, the server errors stay
    h = reduceHealth(h, { type: 'request-failed', error: http(500) }, 15);
    h = reduceHealth(h, { type: 'frame' }, 16);
    expect(h).toMatchObject({ state: 'live', degradedReason: 'server-errors' });
  });

  it('fenced holds for the life of the client, through stop and start', () => {
    let h = reduceHealth(live(), { type: 'request-failed', error: fencedError, request: 'push' }, 10);
    for (const e of [
      { type: 'request-succeeded' },
      { type: 'online' },
      { type: 'frame' },
      { type: 'stream-failed', error: http(500), nextRetryAt: 1 },
      { type: 'frame' },
    ] as HealthEvent[]) {
      h = reduceHealth(h, e, 20);
      expect(h).toMatchObject({ degraded: true, degradedReason: 'fenced' });
    }
    h = reduceHealth(h, { type: 'stop' }, 30);
    expect(h).toMatchObject({ state: 'stopped', degraded: true, degradedReason: 'fenced', degradedSince: 10, transport: null });
    h = reduceHealth(h, { type: 'start' }, 40);
    expect(h).toMatchObject({ state: 'connecting', degraded: true, degradedReason: 'fenced', degradedSince: 10 });
    h = run([{ type: 'stream-connecting' }, { type: 'stream-open' }, { type: 'frame' }, { type: 'request-succeeded', request: 'push' }], h);
    expect(h).toMatchObject({ state: 'live', degraded: true, degradedReason: 'fenced' });
  });

  it('ignores everything but start once stopped', () => {
    const stopped = reduceHealth(live(), { type: 'stop' }, 10);
    for (const e of [
      { type: 'frame' },
      { type: 'stream-failed', error: http(500), nextRetryAt: 1 },
      { type: 'request-failed', error: http(500) },
      { type: 'offline' },
    ] as HealthEvent[]) {
      expect(reduceHealth(stopped, e, 20)).toBe(stopped);
    }
  });

  it('stop keeps the history a user may show (lastSyncedAt, lastFrameAt)', () => {
    const h = reduceHealth(live(), { type: 'request-succeeded' }, 50);
    const stopped = reduceHealth(h, { type: 'stop' }, 60);
    expect(stopped).toMatchObject({ lastSyncedAt: 50, lastFrameAt: h.lastFrameAt, reconnectAttempts: 0, nextRetryAt: null });
  });
});

describe('createHealthMonitor', () => {
  it('fires onChange once per actual change', () => {
    const { m, onChange } = monitor();
    m.dispatch({ type: 'start' });
    m.dispatch({ type: 'stream-connecting' }); // no change
    m.dispatch({ type: 'stream-open' }); // no change
    m.dispatch({ type: 'frame' });
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(onChange).toHaveBeenLastCalledWith(m.get());
  });

  it('never fires onRecovered on the first connect', () => {
    const { m, onDegraded, onRecovered } = monitor();
    m.dispatch({ type: 'start' });
    m.dispatch({ type: 'stream-connecting' });
    m.dispatch({ type: 'stream-open' });
    m.dispatch({ type: 'frame' });
    m.dispatch({ type: 'frame' });
    expect(m.get().state).toBe('live');
    expect(onDegraded).not.toHaveBeenCalled();
    expect(onRecovered).not.toHaveBeenCalled();
  });

  it('degraded → recovered → degraded again fires each callback once per transition', () => {
    const { m, clock, onDegraded, onRecovered } = monitor();
    m.dispatch({ type: 'start' });
    m.dispatch({ type: 'frame' });
    clock.advance(7_000);
    m.dispatch({ type: 'stream-stale', nextRetryAt: clock.now() + 300 });
    // more bad news while degraded: no second onDegraded
    m.dispatch({ type: 'stream-failed', error: http(503), nextRetryAt: clock.now() + 800 });
    m.dispatch({ type: 'request-failed', error: http(500) });
    m.dispatch({ type: 'offline' });
    expect(onDegraded).toHaveBeenCalledTimes(1);
    expect(onDegraded.mock.calls[0]![0]).toMatchObject({ degraded: true, degradedReason: 'stale' });
    m.dispatch({ type: 'online' });
    m.dispatch({ type: 'request-succeeded' });
    expect(onRecovered).not.toHaveBeenCalled(); // the stream is still down
    m.dispatch({ type: 'stream-open' });
    expect(onRecovered).not.toHaveBeenCalled(); // open is not live
    m.dispatch({ type: 'frame' });
    expect(onRecovered).toHaveBeenCalledTimes(1);
    expect(onRecovered.mock.calls[0]![0]).toMatchObject({ state: 'live', degraded: false });
    m.dispatch({ type: 'frame' });
    m.dispatch({ type: 'request-failed', error: http(502) });
    expect(onDegraded).toHaveBeenCalledTimes(2);
    m.dispatch({ type: 'request-succeeded' });
    expect(onRecovered).toHaveBeenCalledTimes(2);
  });

  it('fires onRecovered after a first connect that failed', () => {
    const { m, onDegraded, onRecovered } = monitor();
    m.dispatch({ type: 'start' });
    m.dispatch({ type: 'stream-failed', error: http(503), nextRetryAt: 1 });
    m.dispatch({ type: 'frame' });
    expect(onDegraded).toHaveBeenCalledTimes(1);
    expect(onRecovered).toHaveBeenCalledTimes(1);
  });

  it('a failed request is reflected in the same task', () => {
    const { m, onDegraded } = monitor();
    m.dispatch({ type: 'start' });
    m.dispatch({ type: 'frame' });
    m.dispatch({ type: 'request-failed', error: http(500), request: 'push' });
    expect(m.get().degraded).toBe(true);
    expect(onDegraded).toHaveBeenCalledTimes(1);
  });

  it('stop and start are neither a degradation nor a recovery', () => {
    const { m, onDegraded, onRecovered } = monitor();
    m.dispatch({ type: 'start' });
    m.dispatch({ type: 'request-failed', error: fencedError });
    expect(onDegraded).toHaveBeenCalledTimes(1);
    m.dispatch({ type: 'stop' });
    m.dispatch({ type: 'start' });
    expect(onRecovered).not.toHaveBeenCalled();
    m.dispatch({ type: 'stream-failed', error: http(503), nextRetryAt: 1 });
    expect(onDegraded).toHaveBeenCalledTimes(2);
  });

  it('reads the environment to tell an offline failure from a server error', () => {
    const { m, environment } = monitor();
    m.dispatch({ type: 'start' });
    m.dispatch({ type: 'frame' });
    environment.setOnline(false); // the monitor is not subscribed: the 'offline' event may come later
    m.dispatch({ type: 'request-failed', error: networkError, request: 'push' });
    expect(m.get()).toMatchObject({ state: 'offline', degradedReason: 'offline' });
  });

  it('runs events dispatched by a listener after the current one, in order', () => {
    const clock = createFakeClock({ now: T0 });
    const seen: string[] = [];
    const m = createHealthMonitor({
      clock,
      onChange(h) {
        seen.push(`change:${h.state}`);
        if (h.state === 'connecting') m.dispatch({ type: 'frame' });
      },
      onDegraded: () => seen.push('degraded'),
    });
    m.dispatch({ type: 'start' });
    expect(seen).toEqual(['change:connecting', 'change:live']);
    expect(m.get().state).toBe('live');
  });
});

describe('degradedSince', () => {
  it('dates a stale episode from the last frame, when the silence began', () => {
    let h = initialHealth(0);
    h = reduceHealth(h, { type: 'start' }, 0);
    h = reduceHealth(h, { type: 'stream-open' }, 100);
    h = reduceHealth(h, { type: 'frame' }, 1000);
    h = reduceHealth(h, { type: 'stream-stale', nextRetryAt: 8500 }, 8000);
    expect(h).toMatchObject({ degraded: true, degradedReason: 'stale', degradedSince: 1000 });
    h = reduceHealth(h, { type: 'offline' }, 9000);
    expect(h).toMatchObject({ degradedReason: 'offline', degradedSince: 1000 });
  });
});

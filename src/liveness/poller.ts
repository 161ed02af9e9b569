import { DEFAULT_RETRY, retryDelay, type RetryPolicy } from '../protocol/backoff.js';
import { createTimer, monotonicNow, type Clock } from '../platform/clock.js';
import type { Environment, EnvironmentEvent } from '../platform/environment.js';
import { isSyncError } from '../model/errors.js';

export interface PollerOptions {
  clock: Clock;
  environment: Environment;
  /** Interval while the user is active. @default 5000 */
  activeMs?: number;
  /** Interval once the user has been quiet for a while, and whenever the tab is hidden. @default 60000 */
  idleMs?: number;
  /**
   * How long after the last activity the user still counts as active. After it, the interval
   * doubles once per further window until it reaches `idleMs`. @default 30000
   */
  activeWindowMs?: number;
  /** Backoff after a failed pull (full jitter, capped by `maxMs`). @default { baseMs: 500, maxMs: 30000 } */
  retry?: RetryPolicy;
  /** One pull covering every watched thread. Rejects when it failed. */
  pull(): Promise<void>;
  /** While the stream is live it is the truth: no interval pulls at all. */
  isStreamLive(): boolean;
}

export interface Poller {
  /** Schedules interval pulls. Does not pull by itself: call `pullNow()` for a first pull. */
  start(): void;
  stop(): void;
  recordActivity(): void;
  /**
   * Pulls at once, or right after the pull in flight. Resolves when a pull started after this
   * call has settled; never rejects (failures are retried with backoff). Resolves at once when
   * stopped.
   */
  pullNow(): Promise<void>;
  /** Call when the stream turns live or stops being live. */
  streamStateChanged(): void;
  /** An environment event, handed on by the client (src/client/clientSession.ts); ignored while stopped. */
  handleEnvironment(event: EnvironmentEvent): void;
}

/**
 * The adaptive poller (docs/liveness.md): `activeMs` while the user is active, stretching toward
 * `idleMs` as activity decays; nothing while the stream is live; one pull in flight at a time.
 */
export function createPoller(options: PollerOptions): Poller {
  const { clock, environment, pull, isStreamLive } = options;
  const activeMs = options.activeMs ?? 5000;
  const idleMs = Math.max(options.idleMs ?? 60_000, activeMs);
  const activeWindowMs = options.activeWindowMs ?? 30_000;
  const retry = options.retry ?? DEFAULT_RETRY;

  const timer = createTimer(clock);
  // Every time here is an interval's end, measured on the monotonic clock: a wall clock set back
  // an hour would otherwise hold the next pull for an hour.
  const monotonic = () => monotonicNow(clock);

  let running = false;
  /** When the scheduled pull is due, as `dueAt` said (it may be past), or null when none is. */
  let timerAt: number | null = null;
  let inFlight = false;
  /** A pull was asked for while one ran: it runs once the current one settles. */
  let requested = false;
  /** pullNow() callers waiting for a pull that has not started yet. */
  const waiting: Array<() => void> = [];
  // Until the user does something we assume nobody is watching: a page that is really in use
  // reports activity within a second, an idle one must stay within the idle budget.
  let lastActivityAt = -Infinity;
  let lastPullAt = 0;
  let failures = 0;
  let retryAt = 0;

  const clearTimer = () => {
    timer.clear();
    timerAt = null;
  };

  const interval = (now: number): number => {
    if (!environment.isVisible()) return idleMs;
    const quiet = now - lastActivityAt;
    if (quiet < activeWindowMs) return activeMs;
    return Math.min(idleMs, activeMs * 2 ** Math.floor(quiet / activeWindowMs));
  };

  const dueAt = (now: number): number | null => {
    // After a pull settles, it schedules the next one. Offline, every pull would fail: 'online'
    // brings an immediate one.
    if (!running || inFlight || !environment.isOnline()) return null;
    if (failures > 0) {
      // A failed pull is retried even while the stream is live (it was wanted for a reason), but a
      // failure never makes interval polling more frequent than it would be anyway.
      return requested || isStreamLive() ? retryAt : Math.max(retryAt, lastPullAt + interval(now));
    }
    if (requested) return now;
    return isStreamLive() ? null : lastPullAt + interval(now);
  };

  const schedule = () => {
    const now = monotonic();
    const at = dueAt(now);
    if (at === timerAt) return;
    timerAt = at;
    if (at === null) timer.clear();
    else timer.set(run, Math.max(0, at - now));
  };

  const run = () => {
    clearTimer();
    inFlight = true;
    requested = false;
    const settled = waiting.splice(0);
    let result: Promise<void>;
    try {
      result = pull();
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      () => {
        failures = 0;
        done(settled);
      },
      (error: unknown) => {
        // retry.maxMs caps every backoff, a server's Retry-After included (docs/liveness.md).
        const delay = retryDelay(isSyncError(error) ? error : undefined, failures, retry, clock.random);
        retryAt = monotonic() + Math.min(retry.maxMs, delay);
        failures += 1;
        done(settled);
      },
    );
  };

  const done = (settled: Array<() => void>) => {
    inFlight = false;
    lastPullAt = monotonic();
    for (const resolve of settled) resolve();
    if (!running) return;
    // A request made during a failed pull waits for the backoff instead of hammering at once.
    if (requested && failures === 0) run();
    else schedule();
  };

  const request = () => {
    if (!running) return;
    if (inFlight) requested = true;
    else run();
  };

  const recordActivity = () => {
    lastActivityAt = monotonic();
    // The interval can only get shorter: a user back after a long quiet spell may be due a pull now.
    schedule();
  };

  const onEnvironment = (event: EnvironmentEvent) => {
    if (event === 'activity' || event === 'focus') lastActivityAt = monotonic();
    if (event === 'focus' || event === 'online') request();
    else if (event !== 'pagehide') schedule(); // activity, visibility and connectivity move the next pull
  };

  return {
    start() {
      if (running) return;
      running = true;
      lastPullAt = monotonic();
      failures = 0;
      schedule();
    },
    stop() {
      if (!running) return;
      running = false;
      requested = false;
      clearTimer();
      for (const resolve of waiting.splice(0)) resolve();
    },
    recordActivity,
    pullNow() {
      if (!running) return Promise.resolve();
      const promise = new Promise<void>((resolve) => waiting.push(resolve));
      request();
      return promise;
    },
    streamStateChanged: schedule,
    handleEnvironment(event) {
      if (running) onEnvironment(event);
    },
  };
}

/** An opaque timer handle: whatever the clock's `setTimeout` returned. */
export type TimerId = unknown;

/**
 * Time and chance, injected so every test can drive them. No module of syncline reads
 * `Date.now`, timers or `Math.random` directly: they ask a Clock.
 */
export interface Clock {
  /** Wall time (ms since the epoch): for timestamps people see. It may jump, backwards too. */
  now(): number;
  /**
   * A clock that only moves forward (ms from any origin), for measuring intervals: a wall clock
   * set back an hour must not hold a pull for an hour. Timers run on this time. Clocks without
   * it measure on `now()`. @default performance.now() for the system clock
   */
  monotonic?(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
  /** A number in [0, 1): the jitter of backoffs. */
  random(): number;
}

/* eslint-disable no-restricted-properties, no-restricted-globals -- the one place real time is read */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};
/* eslint-enable no-restricted-properties, no-restricted-globals */

/** Reads `clock.monotonic()`, or `now()` for a clock that has none. */
export function monotonicNow(clock: Clock): number {
  return clock.monotonic ? clock.monotonic() : clock.now();
}

/** One pending callback at most: setting it again replaces the one pending. */
export interface Timer {
  set(fn: () => void, ms: number): void;
  clear(): void;
  /** A callback is set and has not run yet. */
  pending(): boolean;
}

export function createTimer(clock: Clock): Timer {
  let id: TimerId | null = null;
  const clear = () => {
    if (id !== null) clock.clearTimeout(id);
    id = null;
  };
  return {
    set(fn, ms) {
      clear();
      id = clock.setTimeout(() => {
        id = null;
        fn();
      }, ms);
    },
    clear,
    pending: () => id !== null,
  };
}

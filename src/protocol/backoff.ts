import type { SyncError } from '../model/errors.js';

export interface RetryPolicy {
  /** @default 500 */
  baseMs: number;
  /** Caps every wait: backoff, the stream's reconnects, a server's `Retry-After` and `retry:`. @default 30000 */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 500, maxMs: 30_000 };

/**
 * The longest delay a timer can hold: setTimeout stores it in a signed 32-bit integer and fires
 * at once past 2^31 − 1 ms, which would turn "wait a month" into a request storm.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` kept in [0, MAX_TIMER_MS]; NaN becomes 0. */
export function timerSafe(ms: number): number {
  return ms > 0 ? Math.min(ms, MAX_TIMER_MS) : 0;
}

/**
 * Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): a uniform delay in
 * [0, min(maxMs, baseMs * 2^attempt)). Fixed delays make every client of an outage reconnect in
 * lock-step; full jitter spreads them evenly.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * timerSafe(ceiling));
}

/**
 * How long to wait before retry number `attempt` (0-based) after `error`. A server's
 * `Retry-After` replaces the backoff, plus under a second of jitter so clients told the same date
 * do not return in the same millisecond; but never past `maxMs` (a server, or a proxy in front of
 * it, must not be able to hold writes for a day: docs/outbox.md). Capped, it lands just under
 * `maxMs`, jittered likewise.
 */
export function retryDelay(
  error: SyncError | undefined,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): number {
  const asked = error?.retryAfterMs;
  if (asked === undefined || !(asked >= 0)) return backoffDelay(attempt, policy, random);
  const spread = Math.floor(random() * Math.min(policy.baseMs, 1000));
  const cap = timerSafe(policy.maxMs);
  return asked + spread <= cap ? asked + spread : Math.max(0, cap - spread);
}

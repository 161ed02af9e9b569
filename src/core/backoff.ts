import type { SyncError } from './errors.js';

export interface RetryPolicy {
  /** @default 500 */
  baseMs: number;
  /** Caps every backoff, the stream's reconnects included. @default 30000 */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 500, maxMs: 30_000 };

/**
 * Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): a uniform delay in
 * [0, min(maxMs, baseMs * 2^attempt)). Fixed delays make every client of an outage reconnect in
 * lock-step; full jitter spreads them evenly.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before retry number `attempt` (0-based) after `error`. A server's
 * `Retry-After` wins: it is waited in full, plus a little jitter so clients told the same date do
 * not return in the same millisecond.
 */
export function retryDelay(
  error: SyncError | undefined,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (error?.retryAfterMs !== undefined) {
    return error.retryAfterMs + Math.floor(random() * Math.min(policy.baseMs, 1000));
  }
  return backoffDelay(attempt, policy, random);
}

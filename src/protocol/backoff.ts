import { isSyncError, type SyncError } from '../model/errors.js';

/*
 * The retry policy, in one place (docs/outbox.md "Never lossy", docs/liveness.md "Recovery"):
 * which failures are retried and what they say about the server, and how long each retry waits.
 * The outbox, the poller, the event stream and the `/ping` probe all ask here.
 */

export interface RetryPolicy {
  /** @default 500 */
  baseMs: number;
  /** Caps every wait: backoff, the stream's reconnects, a server's `Retry-After` and `retry:`. @default 30000 */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 500, maxMs: 30_000 };

/** The probe's backoff: from 250 ms, doubling, capped at 2 s (docs/liveness.md "Recovery"). */
export const PROBE_RETRY: RetryPolicy = { baseMs: 250, maxMs: 2000 };

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
 * What a failed request says about the server. `unreachable`: no answer at all (a refused
 * connection, a timeout, anything a connector threw that is not a SyncError). `refusing`: it
 * answered, but 408, 429 or 5xx (a proxy in front of a server being deployed, a crashed or
 * overloaded backend). `other`: an answer about this request only (a 4xx, an unreadable body).
 */
export type FailureCause = 'unreachable' | 'refusing' | 'other';

export function failureCause(error: unknown): FailureCause {
  if (!isSyncError(error) || error.kind === 'network' || error.kind === 'timeout') return 'unreachable';
  const { status } = error;
  if (error.kind === 'http' && status !== undefined && (status === 408 || status === 429 || status >= 500)) return 'refusing';
  return 'other';
}

/**
 * Whether a write that failed so is sent again by itself: every retryable error, and `auth`
 * (the next attempt asks `headers()` again, so a refreshed token ends it).
 */
export function retriedByItself(error: SyncError): boolean {
  return error.retryable || error.kind === 'auth';
}

/**
 * Whether a failure should start the `/ping` probe: the server gave no answer, or refused
 * without saying when to come back, or asked for less than the probe's own cap (the probe
 * would not come sooner). A server that names a longer wait is taken at its word.
 */
export function startsProbe(error: unknown): boolean {
  const cause = failureCause(error);
  if (cause === 'unreachable') return true;
  if (cause !== 'refusing') return false;
  const asked = (error as SyncError).retryAfterMs;
  return asked === undefined || !(asked >= PROBE_RETRY.maxMs);
}

/**
 * Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): a uniform delay in
 * [0, min(maxMs, baseMs * 2^attempt)). Fixed delays make every client of an outage reconnect in
 * lock-step; full jitter spreads them evenly.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * backoffCeiling(attempt, policy));
}

function backoffCeiling(attempt: number, policy: RetryPolicy): number {
  return timerSafe(Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30)));
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

/**
 * The wait before the event stream's reconnect number `attempt`: as {@link retryDelay}, except
 * that a `Retry-After` shorter than the probe's cap is a floor under the backoff, not a
 * replacement: such an answer starts the probe ({@link startsProbe}), which watches for the
 * server's return, and the recovery then reopens the streams spread over seconds. Streams of a
 * thousand clients told "1 s" again and again would otherwise all reopen in the same second
 * (bench/reconnectStorm.ts). Writes keep {@link retryDelay}: a write told "1 s" goes in 1 s.
 */
export function streamRetryDelay(
  error: SyncError | undefined,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): number {
  const asked = error?.retryAfterMs;
  const delay = retryDelay(error, attempt, policy, random);
  if (asked === undefined || !(asked >= 0) || asked >= PROBE_RETRY.maxMs) return delay;
  return Math.max(delay, backoffDelay(attempt, policy, random));
}

/**
 * The wait before probe number `attempt + 1`: the server's `Retry-After` when the ping got one
 * (capped by `maxMs`, the client's `retry.maxMs`), else jitter over the upper three quarters of
 * {@link PROBE_RETRY}'s ceiling. A refused connection or a 503 fails in microseconds, so waits
 * near 0 would only add probes, not speed (≈ 48 a minute at the cap).
 */
export function probeDelay(error: unknown, attempt: number, maxMs: number, random: () => number): number {
  if (isSyncError(error) && error.retryAfterMs !== undefined && error.retryAfterMs >= 0) {
    return retryDelay(error, attempt, { baseMs: PROBE_RETRY.baseMs, maxMs }, random);
  }
  return Math.floor(backoffCeiling(attempt, PROBE_RETRY) * (0.25 + 0.75 * random()));
}

/**
 * The stream's policy once the server sent `retry: hintMs`: the hint raises the base of the
 * backoff, never past `maxMs` (a hint past it would be capped anyway; garbage is ignored).
 */
export function withRetryHint(policy: RetryPolicy, hintMs: number): RetryPolicy {
  const hint = hintMs >= 0 ? Math.min(hintMs, policy.maxMs) : 0;
  return { baseMs: Math.max(policy.baseMs, hint), maxMs: policy.maxMs };
}

/**
 * What an outage does to the server when it comes back: every client's stream breaks at t = 0,
 * each retries on its own schedule, and the server accepts connections again at t = outageMs.
 * A pure simulation on a fake clock (no network), so the result depends only on the strategy and
 * the seed.
 */
import { backoffDelay, type RetryPolicy } from '../src/core/backoff.js';
import { createFakeClock } from '../src/testing/fakeClock.js';

export type ReconnectStrategy = 'full-jitter' | 'fixed';

/** The source material's retry schedule (000, 004): no jitter, so clients move in lock-step. */
export const FIXED_DELAYS_MS: readonly number[] = [1000, 2000, 5000, 10_000, 30_000];

export interface ReconnectStormOptions {
  /** @default 1000 */
  clients?: number;
  /** @default 30000 */
  outageMs?: number;
  strategy: ReconnectStrategy;
  /** @default 1 */
  seed?: number;
  /** Full-jitter policy. @default { baseMs: 500, maxMs: 30000 } */
  retry?: RetryPolicy;
}

export interface ReconnectStormResult {
  strategy: ReconnectStrategy;
  /**
   * Successful reconnects in each second after recovery: index 0 is [outageMs, outageMs + 1 s).
   * It ends with the second of the last reconnect.
   */
  perSecond: number[];
  /** The busiest second after recovery. */
  busiest: number;
  /**
   * The mean over the seconds in which the recovering clients reconnect: every reconnect divided
   * by the number of seconds from recovery to the last reconnect (`perSecond.length`).
   */
  mean: number;
  /** busiest / mean: 1 is perfectly even; lock-step clients make it as large as the window. */
  ratio: number;
  /** Failed attempts the dead server absorbed during the outage. */
  attemptsDuringOutage: number;
  /** When the last client was back, in ms after recovery. */
  lastReconnectMs: number;
}

export function simulateReconnectStorm(options: ReconnectStormOptions): ReconnectStormResult {
  const clients = options.clients ?? 1000;
  const outageMs = options.outageMs ?? 30_000;
  const retry = options.retry ?? { baseMs: 500, maxMs: 30_000 };
  const clock = createFakeClock({ now: 0, seed: options.seed ?? 1 });
  const delay = (attempt: number) =>
    options.strategy === 'fixed'
      ? FIXED_DELAYS_MS[Math.min(attempt, FIXED_DELAYS_MS.length - 1)]!
      : backoffDelay(attempt, retry, clock.random);

  const reconnectedAt: number[] = [];
  let attemptsDuringOutage = 0;
  const attempt = (n: number) => () => {
    if (clock.now() < outageMs) {
      attemptsDuringOutage += 1;
      clock.setTimeout(attempt(n + 1), delay(n + 1));
    } else {
      reconnectedAt.push(clock.now());
    }
  };
  for (let c = 0; c < clients; c++) clock.setTimeout(attempt(0), delay(0));
  clock.advance(outageMs + 10 * Math.max(retry.maxMs, ...FIXED_DELAYS_MS));

  const last = Math.max(...reconnectedAt);
  const perSecond: number[] = new Array(Math.floor((last - outageMs) / 1000) + 1).fill(0);
  for (const t of reconnectedAt) perSecond[Math.floor((t - outageMs) / 1000)]! += 1;
  const busiest = Math.max(...perSecond);
  const mean = reconnectedAt.length / perSecond.length;
  return {
    strategy: options.strategy,
    perSecond,
    busiest,
    mean,
    ratio: busiest / mean,
    attemptsDuringOutage,
    lastReconnectMs: last - outageMs,
  };
}

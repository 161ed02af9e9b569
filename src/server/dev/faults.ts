import { seededRandom } from '../../platform/seededRandom.js';
import { isRecord } from '../../model/isRecord.js';

/**
 * Faults of the event stream (`GET /events`). They act on streams already open as well as new ones.
 */
export interface StreamFaults {
  /** Opening the stream is answered 503. @default false */
  refuse?: boolean;
  /**
   * The stream opens (200, event-stream) and then stays silent: no event, no keepalive. What is
   * held back is delivered once the stall is lifted, as a stalled TCP connection would.
   * @default false
   */
  stall?: boolean;
  /** The connection drops after this many events (0: right after it opens). @default undefined (never) */
  dropAfter?: number;
  /** Share of events delivered twice, same id. @default 0 */
  duplicateRate?: number;
  /** Share of events held back and delivered after the next one (or the next keepalive). @default 0 */
  reorderRate?: number;
  /** Overrides the keepalive interval; 0 sends none. @default the peer's keepaliveMs (3000) */
  keepaliveMs?: number;
}

/**
 * What goes wrong, set at run time on the fake backend and on the dev server alike. Rates are
 * shares of requests in [0, 1], drawn from a PRNG (seeded by `seed` when given).
 *
 * Which route each fault hits:
 * - `offline`: every route, the stream included (open streams drop at once).
 * - `latencyMs` / `jitterMs`: push, pull, ping and the opening of the stream.
 * - `blockPushes`: push only.
 * - `hangRate`, `errorRate`, `rateLimitRate`, `htmlRate`, `lostAnswerRate`, `duplicateRate`: push
 *   and pull. Ping answers whenever the server is reachable: it measures reachability, not health.
 * - `stream`: the event stream only.
 * When several draw true for one request the first in this order wins: offline, blockPushes,
 * hang, error, rate limit, HTML page; then the request is handled (twice for a duplicate) and its
 * answer lost or delivered.
 */
export interface Faults {
  /** Every request fails like a refused connection (a `network` error). @default false */
  offline?: boolean;
  /** Added to every request before it is handled. @default 0 */
  latencyMs?: number;
  /** Up to this much more latency, uniformly drawn. @default 0 */
  jitterMs?: number;
  /** Share of push/pull requests answered with `errorStatus`. @default 0 */
  errorRate?: number;
  /** @default 503 */
  errorStatus?: number;
  /** Share of push/pull requests answered 429 with `Retry-After`. @default 0 */
  rateLimitRate?: number;
  /** The `Retry-After` of a 429, in seconds. @default 1 */
  retryAfterSeconds?: number;
  /** Share of push/pull requests answered with an HTML error page, like a proxy's. @default 0 */
  htmlRate?: number;
  /** The status that comes with the HTML page: 200 (captive portal) or 502 (proxy). @default 200 */
  htmlStatus?: number;
  /** Share of push/pull requests never answered: only the client's timeout ends them. @default 0 */
  hangRate?: number;
  /** Share of push/pull requests handled (a push is APPLIED) whose answer is then lost. @default 0 */
  lostAnswerRate?: number;
  /** Share of push/pull requests handled twice (a proxy's retry); the second answer is sent. @default 0 */
  duplicateRate?: number;
  /** Every push is answered 503: the server stopped accepting writes. @default false */
  blockPushes?: boolean;
  stream?: StreamFaults;
  /** Seeds the PRNG that draws the rates, for runs that repeat exactly. @default the clock's random */
  seed?: number;
}

export type FaultRoute = 'push' | 'pull' | 'ping' | 'events';

/** What one request will meet, decided up front so both peers act the same way. */
export type RequestPlan =
  | { kind: 'refuse' }
  | { kind: 'hang'; delayMs: number }
  | { kind: 'status'; delayMs: number; status: number; retryAfterSeconds?: number }
  | { kind: 'html'; delayMs: number; status: number }
  | { kind: 'ok'; delayMs: number; duplicate: boolean; lostAnswer: boolean };

const RATES = ['errorRate', 'rateLimitRate', 'htmlRate', 'hangRate', 'lostAnswerRate', 'duplicateRate'] as const;
const DURATIONS = ['latencyMs', 'jitterMs', 'retryAfterSeconds'] as const;
const FLAGS = ['offline', 'blockPushes'] as const;

function check(ok: boolean, message: string): void {
  if (!ok) throw new TypeError(`Invalid faults: ${message}.`);
}

const isRate = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
const isAmount = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Checks faults from any source (the admin route's JSON included) and returns a copy.
 * @throws TypeError naming the first invalid field.
 */
export function normalizeFaults(input: unknown): Faults {
  check(isRecord(input), 'expected an object');
  const f = input as Record<string, unknown>;
  for (const key of RATES) check(f[key] === undefined || isRate(f[key]), `${key} must be in [0, 1]`);
  for (const key of DURATIONS) check(f[key] === undefined || isAmount(f[key]), `${key} must be a number ≥ 0`);
  for (const key of FLAGS) check(f[key] === undefined || typeof f[key] === 'boolean', `${key} must be a boolean`);
  for (const key of ['errorStatus', 'htmlStatus'] as const) {
    const v = f[key];
    check(v === undefined || (Number.isInteger(v) && (v as number) >= 200 && (v as number) <= 599), `${key} must be an HTTP status`);
  }
  check(f.seed === undefined || Number.isFinite(f.seed), 'seed must be a number');
  const out: Faults = { ...(f as Faults) };
  if (f.stream !== undefined) {
    check(isRecord(f.stream), 'stream must be an object');
    const s = f.stream as Record<string, unknown>;
    for (const key of ['refuse', 'stall'] as const) {
      check(s[key] === undefined || typeof s[key] === 'boolean', `stream.${key} must be a boolean`);
    }
    for (const key of ['duplicateRate', 'reorderRate'] as const) {
      check(s[key] === undefined || isRate(s[key]), `stream.${key} must be in [0, 1]`);
    }
    for (const key of ['dropAfter', 'keepaliveMs'] as const) {
      check(s[key] === undefined || isAmount(s[key]), `stream.${key} must be a number ≥ 0`);
    }
    out.stream = { ...(s as StreamFaults) };
  }
  return out;
}

export interface FaultController {
  /** A copy of the faults in force. */
  faults(): Faults;
  /** The faults in force, not copied: for hot paths that only read. */
  current(): Readonly<Faults>;
  /** Replaces every fault (not a merge). Re-seeds the PRNG when `seed` is given. */
  set(faults: Faults): void;
  /** Draws true with probability `rate`; draws nothing for a zero rate, so unrelated faults keep a seeded run's sequence. */
  roll(rate: number | undefined): boolean;
  plan(route: FaultRoute): RequestPlan;
  /** Called after every `set`, so open streams react at once. */
  subscribe(listener: () => void): () => void;
}

/** The faults of one peer and their PRNG. `fallbackRandom` serves when no seed is set. */
export function createFaultController(initial: Faults | undefined, fallbackRandom: () => number): FaultController {
  let current: Faults = {};
  let random = fallbackRandom;
  const listeners = new Set<() => void>();

  const roll = (rate: number | undefined) => rate !== undefined && rate > 0 && random() < rate;

  const controller: FaultController = {
    faults: () => ({ ...current, ...(current.stream ? { stream: { ...current.stream } } : {}) }),
    current: () => current,
    set(faults) {
      current = normalizeFaults(faults);
      random = current.seed === undefined ? fallbackRandom : seededRandom(current.seed);
      for (const listener of [...listeners]) listener();
    },
    roll,
    plan(route) {
      const f = current;
      if (f.offline) return { kind: 'refuse' };
      const delayMs = (f.latencyMs ?? 0) + (f.jitterMs ? random() * f.jitterMs : 0);
      if (route === 'ping' || route === 'events') return { kind: 'ok', delayMs, duplicate: false, lostAnswer: false };
      if (route === 'push' && f.blockPushes) return { kind: 'status', delayMs, status: 503 };
      if (roll(f.hangRate)) return { kind: 'hang', delayMs };
      if (roll(f.errorRate)) return { kind: 'status', delayMs, status: f.errorStatus ?? 503 };
      if (roll(f.rateLimitRate)) {
        return { kind: 'status', delayMs, status: 429, retryAfterSeconds: f.retryAfterSeconds ?? 1 };
      }
      if (roll(f.htmlRate)) return { kind: 'html', delayMs, status: f.htmlStatus ?? 200 };
      return { kind: 'ok', delayMs, duplicate: roll(f.duplicateRate), lostAnswer: roll(f.lostAnswerRate) };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  controller.set(initial ?? {});
  return controller;
}

/** What a proxy in front of the server answers when it gives up: not JSON, not ours. */
export const HTML_ERROR_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>' +
  '<body><h1>Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>';

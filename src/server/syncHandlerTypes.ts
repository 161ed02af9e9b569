import type { Clock } from '../platform/clock.js';
import type { Mutator } from '../model/types.js';
import type { Authorize } from './authorize.js';
import type { ServerBus, ServerStore, WriteResult } from './types.js';

export interface SyncHandlerOptions {
  /** Threads, versions, exactly-once pushes and the event log. @default createMemoryStore() */
  store?: ServerStore;
  /** Fans events out to the streams of every instance. @default createInProcessBus() */
  bus?: ServerBus;
  /** Added to the built-in mutators; register the same ones on the client. @default {} */
  mutators?: Record<string, Mutator>;
  /**
   * Decides per request and per thread (docs/server.md#authorize). Without it every request is
   * allowed: fine for a local demo, never for users' data.
   * @default () => true
   */
  authorize?: Authorize;
  /**
   * Names the caller (the principal: a user id from your session), or `null` for none. With it,
   * a `clientId` belongs to the principal that first used it: another principal's push naming
   * it is refused with 403 and changes nothing. Without it a `clientId` is a bearer secret:
   * whoever knows one can write as it (docs/server.md, "identify").
   * @default () => null
   */
  identify?(request: Request): string | null | Promise<string | null>;
  /**
   * Distinct threads one push or pull may name; more is a 413 before `authorize` is asked (it
   * is asked once per distinct thread). @default 1000
   */
  maxThreadsPerRequest?: number;
  /**
   * Open event streams one principal (`identify`) may hold; one more is a 429 with
   * `Retry-After`, other principals unaffected. @default 16
   */
  maxStreamsPerPrincipal?: number;
  /** Open event streams of all callers together (those without a principal included); one more is a 429. @default 10000 */
  maxStreams?: number;
  /**
   * How long an event stream keeps `authorize`'s verdict on a thread before asking again: a
   * revoked reader stops getting that thread's events within this time. @default 60000
   */
  authorizeTtlMs?: number;
  /** The path the routes are mounted under, e.g. `/api/sync` for a Next.js catch-all route. @default '' */
  basePath?: string;
  /**
   * Added to every answer, and the whole answer to an `OPTIONS` preflight (CORS:
   * `access-control-allow-origin`, `-methods`, `-headers`). @default {}
   */
  headers?: Record<string, string>;
  /** Interval of the `: ka` comment on event streams. @default 3000 */
  keepaliveMs?: number;
  /** The `retry:` hint of event streams, in ms; clients cap it with their own `retry.maxMs`. @default 1000 */
  retryMs?: number;
  /**
   * Bytes one event stream may hold for a consumer that does not read; past it the stream sends
   * `reset` and ends (the client pulls and reconnects). A single event larger than this still goes
   * out alone. @default 1048576 (1 MiB)
   */
  maxBufferedBytes?: number;
  /** Largest push or pull body; a larger one is answered 413. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** A resuming stream more than this many events behind gets `reset` instead of a replay. @default 10000 */
  replayLimit?: number;
  /** Drives keepalives and coalescing. @default systemClock */
  clock?: Clock;
  /** Failures that are not the client's: a store or bus error, an `authorize` that threw. @default console.error */
  onError?(error: unknown): void;
}

export interface SyncHandlerStats {
  openStreams: number;
  /** Bytes held by all open streams for their consumers (bounded by `maxBufferedBytes` each). */
  bufferedBytes: number;
  /** The most bytes one stream has held at any time (at most `maxBufferedBytes`, or one larger event alone). */
  peakStreamBytes: number;
  /** Streams ended with `reset` because their consumer fell behind. */
  resets: number;
  /** The bus is up (streams are served). */
  busUp: boolean;
}

/** Protocol v1 as `(Request) => Promise<Response>` (docs/server.md). */
export interface SyncHandler {
  (request: Request): Promise<Response>;
  /** A write by the server (an assistant reply): applied by the store, published on the bus. */
  serverWrite(threadId: string, name: string, args: unknown): Promise<WriteResult>;
  stats(): SyncHandlerStats;
  /** `stats()` and rates and latencies beside them (docs/metrics.md); `toPrometheusText` formats them. */
  metrics(): SyncHandlerMetrics;
  /**
   * Graceful shutdown: refuses new streams (503), ends open ones so clients reconnect elsewhere,
   * unsubscribes from the bus. Closes the store and bus only if the handler created them.
   */
  close(): Promise<void>;
}

/** Quantiles of a latency sketch (ms, within `latencyRelativeError`); null without samples. */
export interface ServerLatency {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}

/**
 * What `handler.metrics()` returns (docs/metrics.md): plain numbers, units in the names, counts
 * since the handler was created. `toPrometheusText` formats it for a scrape route.
 */
export interface SyncHandlerMetrics extends SyncHandlerStats {
  writesTotal: number;
  /** Writes applied over the last 60 s, per second. */
  writesPerSecond: number;
  pushesTotal: number;
  pullsTotal: number;
  /** One store call (push or pull), ms. */
  storeLatencyMs: ServerLatency;
  /** From this instance's publish to the bus handing the event back for its streams, ms. */
  fanOutLatencyMs: ServerLatency;
  latencyRelativeError: number;
}

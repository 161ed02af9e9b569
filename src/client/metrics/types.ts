import type { Clock } from '../../platform/clock.js';
import type { SyncTraceEvent, TabRole } from './trace.js';

/** Quantiles of a latency sketch (ms, within `relativeError` of a true sample); null without samples. */
export interface LatencyQuantiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}

/**
 * What `client.getMetrics()` returns (docs/metrics.md): plain numbers, units in the names, so a
 * dashboard or an OpenTelemetry exporter reads it as it is. Counts are since the client was
 * created. `writes*` count this tab's writes; `pushes`, `pulls`, `bytes*`, `stream*` and
 * `reconnects` count this tab's own connection, which a follower tab does not have (docs/tabs.md).
 */
export interface SyncMetrics {
  /** The client's clock when read, ms. */
  atMs: number;
  tabRole: TabRole;
  writesQueued: number;
  writesAcknowledged: number;
  writesFailed: number;
  writesDiscarded: number;
  /** Writes settled (acknowledged or failed) after more than one attempt. */
  writesRetried: number;
  /** Acknowledged over settled (acknowledged + failed); null before any settled. */
  deliveryRate: number | null;
  /** From `mutate` to the server's acknowledgement, since start. */
  ackLatencyMs: LatencyQuantiles;
  /** The same over the last 60 to 70 s (six 10-second windows and the current one). */
  ackLatencyLastMinuteMs: LatencyQuantiles;
  /** The relative error of the latency quantiles (0.01: within 1 %). */
  latencyRelativeError: number;
  queueDepth: number;
  queueDepthPeak: number;
  pushes: number;
  pushFailures: number;
  pulls: number;
  pullFailures: number;
  pullBytesReceived: number;
  streamEvents: number;
  /** Stream opens after the first. */
  reconnects: number;
  streamOpen: boolean;
  /** Time an event stream was open, summed, ms. */
  streamUptimeMs: number;
  bytesSent: number;
  bytesReceived: number;
  healthTransitions: number;
}

/** What a client's `metrics` option holds: `syncMetrics()` from syncline/metrics (docs/metrics.md). */
export interface SyncMetricsOption {
  create(clock: Clock): MetricsCollector;
}

/** Counts the client's trace as it passes; memory stays bounded whatever the traffic. */
export interface MetricsCollector {
  listen(event: SyncTraceEvent): void;
  /** The outbox holds this many writes now (its `changed` listener says it). */
  depth(queueDepth: number): void;
  read(): SyncMetrics;
}

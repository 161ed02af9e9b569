import { createMetricsCollector } from './collector.js';
import type { SyncMetricsOption } from '../client/metrics/types.js';

/**
 * Turns on `client.getMetrics()` and `useSyncMetrics()` (docs/metrics.md):
 * `createSyncClient({ …, metrics: syncMetrics() })`. Its own entry, so an app that never reads
 * metrics ships none of the counting (the three main entries carry only the trace's hook points).
 */
export function syncMetrics(): SyncMetricsOption {
  return { create: createMetricsCollector };
}

export type { LatencyQuantiles, SyncMetrics, SyncMetricsOption } from '../client/metrics/types.js';

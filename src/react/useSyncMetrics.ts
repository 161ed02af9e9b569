'use client';
import { useEffect, useState } from 'react';
import type { SyncMetrics } from '../client/metrics/types.js';
import { useSyncClient } from './useSyncClient.js';

/** Everything but the reading's own time, to tell a change from a tick. */
const key = (m: SyncMetrics) => JSON.stringify({ ...m, atMs: 0 });

/**
 * `client.getMetrics()` of the provider's client (docs/metrics.md), read every `intervalMs`: the
 * component re-renders at most that often, and only when a number changed.
 */
export function useSyncMetrics(options: {
  /** How often the metrics are read. @default 1000 */
  intervalMs?: number;
} = {}): SyncMetrics {
  const client = useSyncClient();
  const intervalMs = Math.max(options.intervalMs ?? 1000, 16);
  const [metrics, setMetrics] = useState(() => client.getMetrics());
  useEffect(() => {
    let last = '';
    const read = () => {
      const next = client.getMetrics();
      const nextKey = key(next);
      if (nextKey !== last) setMetrics(next);
      last = nextKey;
    };
    read();
    const id = setInterval(read, intervalMs);
    return () => clearInterval(id);
  }, [client, intervalMs]);
  return metrics;
}

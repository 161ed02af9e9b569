import { useRef } from 'react';
import type { SyncMetrics } from '../client/metrics/types.js';

/** Samples kept for the sparklines: one a second, the last minute. */
export const SAMPLES = 60;

export interface Samples {
  p95: number[];
  queue: number[];
}

/** Appends this read of the metrics to the last minute's samples (one per tick). */
export function useSamples(metrics: SyncMetrics | null, tick: number): Samples {
  const ref = useRef<{ tick: number; samples: Samples }>({ tick: -1, samples: { p95: [], queue: [] } });
  if (metrics && ref.current.tick !== tick) {
    const { p95, queue } = ref.current.samples;
    ref.current = {
      tick,
      samples: {
        p95: [...p95, metrics.ackLatencyLastMinuteMs.p95 ?? 0].slice(-SAMPLES),
        queue: [...queue, metrics.queueDepth].slice(-SAMPLES),
      },
    };
  }
  return ref.current.samples;
}

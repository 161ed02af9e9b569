import type { Clock } from '../platform/clock.js';
import { addSample, createSketch, quantile, RELATIVE_ERROR, type Sketch } from '../model/latencySketch.js';
import type { StoredEvent } from './types.js';
import type { ServerLatency, SyncHandlerMetrics, SyncHandlerStats } from './syncHandlerTypes.js';

export type { ServerLatency, SyncHandlerMetrics } from './syncHandlerTypes.js';

/** Published cursors still waiting for the bus: bounded, the oldest forgotten first. */
const MAX_IN_FLIGHT = 1000;
const WINDOW_MS = 60_000;

export interface HandlerMetrics {
  /** Times one store call; `writes` is how many writes it applied. */
  store<T>(call: () => Promise<T>, writes?: (result: T) => number): Promise<T>;
  published(events: StoredEvent[]): void;
  delivered(event: StoredEvent): void;
  read(stats: SyncHandlerStats): SyncHandlerMetrics;
}

export function createHandlerMetrics(clock: Clock): HandlerMetrics {
  const storeLatency = createSketch();
  const fanOut = createSketch();
  const inFlight = new Map<string, number>();
  /** Applied writes by second, for the last minute. */
  const perSecond = new Map<number, number>();
  const totals = { writesTotal: 0, pushesTotal: 0, pullsTotal: 0 };
  const latency = (s: Sketch): ServerLatency => ({ p50: quantile([s], 0.5), p95: quantile([s], 0.95), p99: quantile([s], 0.99), count: s.count });

  return {
    async store(call, writes) {
      const started = clock.now();
      const result = await call();
      addSample(storeLatency, clock.now() - started);
      if (!writes) {
        totals.pullsTotal++;
        return result;
      }
      totals.pushesTotal++;
      const n = writes(result);
      totals.writesTotal += n;
      const second = Math.floor(clock.now() / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + n);
      for (const key of perSecond.keys()) if (key <= second - WINDOW_MS / 1000) perSecond.delete(key);
      return result;
    },
    published(events) {
      const now = clock.now();
      for (const e of events) {
        inFlight.set(e.cursor, now);
        if (inFlight.size > MAX_IN_FLIGHT) inFlight.delete(inFlight.keys().next().value!);
      }
    },
    delivered(event) {
      const at = inFlight.get(event.cursor);
      if (at === undefined) return;
      inFlight.delete(event.cursor);
      addSample(fanOut, clock.now() - at);
    },
    read(stats) {
      const second = Math.floor(clock.now() / 1000);
      let recent = 0;
      for (const [key, n] of perSecond) if (key > second - WINDOW_MS / 1000) recent += n;
      return {
        ...stats,
        ...totals,
        writesPerSecond: recent / (WINDOW_MS / 1000),
        storeLatencyMs: latency(storeLatency),
        fanOutLatencyMs: latency(fanOut),
        latencyRelativeError: RELATIVE_ERROR,
      };
    },
  };
}

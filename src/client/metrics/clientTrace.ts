import type { Clock } from '../../platform/clock.js';
import type { HealthStatus, PendingWrite } from '../../model/types.js';
import { createMetricsCollector, type MetricsCollector } from './collector.js';
import { createTrace, traceHealth, type TabRole, type Trace } from './trace.js';

/**
 * What the client's hooks call (one line at each place that knows an event, in
 * createSyncClient.ts): the trace, and the metrics collector listening to it.
 */
export interface ClientTrace {
  trace: Trace;
  metrics: MetricsCollector;
  queued(write: PendingWrite): void;
  settled(items: ReadonlyArray<{ write: PendingWrite }> | PendingWrite[], outcome: 'acknowledged' | 'failed' | 'discarded'): void;
  retry(at: number | null): void;
  health(h: HealthStatus): void;
  role(role: TabRole): void;
}

export function createClientTrace(clock: Clock): ClientTrace {
  const trace = createTrace();
  const metrics = createMetricsCollector(clock);
  trace.observe(metrics.listen);
  return {
    trace,
    metrics,
    health: traceHealth(trace, () => clock.now()),
    queued: (w) => trace.emit({ type: 'write-queued', at: clock.now(), writeId: w.id, threadId: w.threadId, name: w.name }),
    settled(items, outcome) {
      const at = clock.now();
      for (const item of items) {
        const w = 'write' in item ? item.write : item;
        trace.emit({ type: 'write-settled', at, writeId: w.id, threadId: w.threadId, outcome, latencyMs: at - w.createdAt, attempts: w.attempts });
      }
    },
    retry: (at) => at !== null && trace.emit({ type: 'retry-scheduled', at: clock.now(), retryAt: at }),
    role: (role) => trace.emit({ type: 'tab-role', at: clock.now(), role }),
  };
}

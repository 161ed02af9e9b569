import type { Clock } from '../../platform/clock.js';
import type { HealthStatus, PendingWrite } from '../../model/types.js';
import { SyncError } from '../../model/errors.js';
import { createTrace, traceHealth, type TabRole, type Trace } from './trace.js';
import type { SyncMetrics, SyncMetricsOption } from './types.js';

/**
 * What the client's hooks call (one line at each place that knows an event, in
 * createSyncClient.ts): the trace, and the metrics collector when the app asked for one
 * (`metrics: syncMetrics()` from syncline/metrics). Nothing is built while nothing listens.
 */
export interface ClientTrace {
  trace: Trace;
  /** The outbox holds this many writes now. */
  depth(queueDepth: number): void;
  read(): SyncMetrics;
  queued(write: PendingWrite): void;
  settled(writes: readonly PendingWrite[], outcome: 'acknowledged' | 'failed' | 'discarded'): void;
  retry(at: number | null): void;
  health(h: HealthStatus): void;
  role(role: TabRole): void;
}

export function createClientTrace(clock: Clock, metrics?: SyncMetricsOption): ClientTrace {
  const trace = createTrace();
  const collector = metrics?.create(clock);
  if (collector) trace.observe(collector.listen);
  return {
    trace,
    depth: (n) => collector?.depth(n),
    read() {
      if (collector) return collector.read();
      throw new SyncError('rejected', 'Metrics are off: pass metrics: syncMetrics() to createSyncClient.', {
        code: 'metrics-off',
      });
    },
    health: traceHealth(trace, () => clock.now()),
    queued: (w) => trace.emit({ type: 'write-queued', at: clock.now(), writeId: w.id, threadId: w.threadId, name: w.name }),
    settled(writes, outcome) {
      if (!trace.observed()) return;
      const at = clock.now();
      for (const w of writes) {
        trace.emit({ type: 'write-settled', at, writeId: w.id, threadId: w.threadId, outcome, latencyMs: at - w.createdAt, attempts: w.attempts });
      }
    },
    retry: (at) => at !== null && trace.emit({ type: 'retry-scheduled', at: clock.now(), retryAt: at }),
    role: (role) => trace.emit({ type: 'tab-role', at: clock.now(), role }),
  };
}

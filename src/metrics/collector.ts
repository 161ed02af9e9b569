import type { Clock } from '../platform/clock.js';
import { addSample, createSketch, quantile, RELATIVE_ERROR, type Sketch } from '../model/latencySketch.js';
import type { TabRole } from '../client/metrics/trace.js';
import type { LatencyQuantiles, MetricsCollector, SyncMetrics } from '../client/metrics/types.js';

type Counts = Omit<SyncMetrics, 'atMs' | 'tabRole' | 'ackLatencyMs' | 'ackLatencyLastMinuteMs' | 'latencyRelativeError' | 'deliveryRate' | 'queueDepth' | 'streamOpen'>;

const WINDOW_MS = 10_000;
const WINDOWS = 6;

/** Counts the trace as it passes (docs/metrics.md); memory stays bounded whatever the traffic. */
export function createMetricsCollector(clock: Clock): MetricsCollector {
  const c: Counts = {
    writesQueued: 0,
    writesAcknowledged: 0,
    writesFailed: 0,
    writesDiscarded: 0,
    writesRetried: 0,
    queueDepthPeak: 0,
    pushes: 0,
    pushFailures: 0,
    pulls: 0,
    pullFailures: 0,
    pullBytesReceived: 0,
    streamEvents: 0,
    reconnects: 0,
    streamUptimeMs: 0,
    bytesSent: 0,
    bytesReceived: 0,
    healthTransitions: 0,
  };
  let role: TabRole = 'alone';
  let openedAt: number | null = null;
  let opens = 0;
  let queueDepth = 0;
  const all = createSketch();
  /** window number -> its sketch; the last WINDOWS and the current one. */
  const recent = new Map<number, Sketch>();

  const latency = (ms: number, at: number) => {
    addSample(all, ms);
    const n = Math.floor(at / WINDOW_MS);
    let sketch = recent.get(n);
    if (!sketch) recent.set(n, (sketch = createSketch()));
    for (const key of recent.keys()) if (key < n - WINDOWS) recent.delete(key);
    addSample(sketch, ms);
  };
  const quantiles = (sketches: Sketch[]): LatencyQuantiles => ({
    p50: quantile(sketches, 0.5),
    p95: quantile(sketches, 0.95),
    p99: quantile(sketches, 0.99),
    count: sketches.reduce((sum, s) => sum + s.count, 0),
  });

  return {
    depth(n) {
      queueDepth = n;
      c.queueDepthPeak = Math.max(c.queueDepthPeak, n);
    },
    listen(e) {
      switch (e.type) {
        case 'write-queued':
          c.writesQueued++;
          break;
        case 'write-settled':
          if (e.outcome === 'discarded') c.writesDiscarded++;
          else {
            if (e.outcome === 'acknowledged') {
              c.writesAcknowledged++;
              latency(e.latencyMs, e.at);
            } else c.writesFailed++;
            if (e.attempts > 1) c.writesRetried++;
          }
          break;
        case 'push':
          c.pushes++;
          c.bytesSent += e.bytes;
          break;
        case 'push-answer':
          c.bytesReceived += e.bytes;
          break;
        case 'request-failed':
          if (e.request === 'push') c.pushFailures++;
          else c.pullFailures++;
          break;
        case 'pull':
          c.pulls++;
          c.bytesSent += e.bytesSent;
          c.bytesReceived += e.bytesReceived;
          c.pullBytesReceived += e.bytesReceived;
          break;
        case 'stream-opened':
          if (opens++ > 0) c.reconnects++;
          openedAt = e.at;
          break;
        case 'stream-event':
          c.streamEvents++;
          c.bytesReceived += e.bytes;
          break;
        case 'stream-closed':
          if (openedAt !== null) c.streamUptimeMs += e.at - openedAt;
          openedAt = null;
          break;
        case 'health':
          c.healthTransitions++;
          break;
        case 'tab-role':
          role = e.role;
          break;
      }
    },
    read() {
      const atMs = clock.now();
      const settled = c.writesAcknowledged + c.writesFailed;
      const n = Math.floor(atMs / WINDOW_MS);
      const lastMinute = [...recent].filter(([key]) => key >= n - WINDOWS).map(([, s]) => s);
      return {
        atMs,
        tabRole: role,
        ...c,
        streamUptimeMs: c.streamUptimeMs + (openedAt === null ? 0 : atMs - openedAt),
        streamOpen: openedAt !== null,
        deliveryRate: settled === 0 ? null : c.writesAcknowledged / settled,
        ackLatencyMs: quantiles([all]),
        ackLatencyLastMinuteMs: quantiles(lastMinute),
        latencyRelativeError: RELATIVE_ERROR,
        queueDepth,
      };
    },
  };
}

import type { SyncHandlerMetrics } from './handlerMetrics.js';

/**
 * `handler.metrics()` as Prometheus text exposition (format 0.0.4), for a route the app mounts
 * behind its own auth (docs/metrics.md). Latencies become summaries in seconds.
 */
export function toPrometheusText(m: SyncHandlerMetrics, prefix = 'syncline_'): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number) => {
    lines.push(`# HELP ${prefix}${name} ${help}`, `# TYPE ${prefix}${name} ${type}`, `${prefix}${name} ${value}`);
  };
  const summary = (name: string, help: string, l: SyncHandlerMetrics['storeLatencyMs']) => {
    lines.push(`# HELP ${prefix}${name} ${help}`, `# TYPE ${prefix}${name} summary`);
    for (const [q, v] of [['0.5', l.p50], ['0.95', l.p95], ['0.99', l.p99]] as const) {
      lines.push(`${prefix}${name}{quantile="${q}"} ${v === null ? 'NaN' : v / 1000}`);
    }
    lines.push(`${prefix}${name}_count ${l.count}`);
  };
  metric('writes_total', 'counter', 'Writes applied.', m.writesTotal);
  metric('writes_per_second', 'gauge', 'Writes applied per second over the last minute.', m.writesPerSecond);
  metric('pushes_total', 'counter', 'Push requests answered.', m.pushesTotal);
  metric('pulls_total', 'counter', 'Pull requests answered.', m.pullsTotal);
  metric('open_streams', 'gauge', 'Open event streams.', m.openStreams);
  metric('buffered_bytes', 'gauge', 'Bytes held by open streams for their consumers.', m.bufferedBytes);
  metric('stream_resets_total', 'counter', 'Streams ended with reset: their consumer fell behind.', m.resets);
  metric('bus_up', 'gauge', '1 while the bus is up.', m.busUp ? 1 : 0);
  summary('store_latency_seconds', 'One store call (push or pull).', m.storeLatencyMs);
  summary('fan_out_latency_seconds', 'From publish to the bus handing the event back.', m.fanOutLatencyMs);
  return `${lines.join('\n')}\n`;
}

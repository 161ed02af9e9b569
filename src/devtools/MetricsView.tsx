import type { SyncMetrics } from '../client/metrics/types.js';
import type { InspectorLabels } from './labels.js';
import { Sparkline } from './Sparkline.js';
import type { Samples } from './useSamples.js';

const ROWS: [keyof SyncMetrics, string][] = [
  ['writesAcknowledged', 'acknowledged'],
  ['writesFailed', 'failed'],
  ['writesRetried', 'retried'],
  ['queueDepth', 'queue depth'],
  ['queueDepthPeak', 'queue peak'],
  ['pushes', 'pushes'],
  ['pushFailures', 'push failures'],
  ['pulls', 'pulls'],
  ['reconnects', 'reconnects'],
  ['bytesSent', 'bytes sent'],
  ['bytesReceived', 'bytes received'],
];

/** `client.getMetrics()` read once a second, with the last minute of p95 and queue depth. */
export function MetricsView({ metrics, samples, labels }: { metrics: SyncMetrics; samples: Samples; labels: InspectorLabels }) {
  const p95 = metrics.ackLatencyMs.p95;
  const rate = metrics.deliveryRate;
  return (
    <section className="syncline-inspector__section" aria-label={labels.metrics}>
      <dl className="syncline-inspector__metrics">
        {ROWS.map(([key, name]) => (
          <div key={key}>
            <dt>{name}</dt>
            <dd>{String(metrics[key])}</dd>
          </div>
        ))}
        <div>
          <dt>delivery rate</dt>
          <dd>{rate === null ? '–' : `${(rate * 100).toFixed(1)} %`}</dd>
        </div>
        <div>
          <dt>ack p95</dt>
          <dd>{p95 === null ? '–' : `${Math.round(p95)} ms`}</dd>
        </div>
      </dl>
      <Sparkline values={samples.p95} label={labels.latencyChart} />
      <Sparkline values={samples.queue} label={labels.queueChart} />
    </section>
  );
}

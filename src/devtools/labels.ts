/** Every string `<SyncInspector />` shows; pass some or all of them as `labels` to translate. */
export interface InspectorLabels {
  /** @default 'Open sync inspector' */
  open: string;
  /** @default 'Close sync inspector' */
  close: string;
  /** @default 'Sync inspector' */
  title: string;
  /** @default 'Loading the sync inspector…' */
  loading: string;
  /** @default 'Timeline' */
  timeline: string;
  /** @default 'Outbox' */
  outbox: string;
  /** @default 'Metrics' */
  metrics: string;
  /** @default 'Health' */
  health: string;
  /** @default 'Thread' */
  thread: string;
  /** @default 'All threads' */
  allThreads: string;
  /** @default 'No events yet.' */
  noEvents: string;
  /** @default 'older events not kept' */
  dropped: string;
  /** @default 'No pending writes.' */
  emptyOutbox: string;
  /** @default 'Retry' */
  retry: string;
  /** @default 'Discard' */
  discard: string;
  /** @default 'Copy as JSON' */
  copy: string;
  /** @default 'Copied.' */
  copied: string;
  /** @default 'Copying failed: select the text below and copy it.' */
  copyFailed: string;
  /** @default 'Tab role' */
  tabRole: string;
  /** @default 'Ack latency p95 (ms), last 60 s' */
  latencyChart: string;
  /** @default 'Queue depth, last 60 s' */
  queueChart: string;
  /** @default 'Writes' */
  writes: string;
  /** @default 'Metrics are off: create the client with metrics: syncMetrics() (syncline/metrics).' */
  metricsOff: string;
}

export const DEFAULT_LABELS: InspectorLabels = {
  open: 'Open sync inspector',
  close: 'Close sync inspector',
  title: 'Sync inspector',
  loading: 'Loading the sync inspector…',
  timeline: 'Timeline',
  outbox: 'Outbox',
  metrics: 'Metrics',
  health: 'Health',
  thread: 'Thread',
  allThreads: 'All threads',
  noEvents: 'No events yet.',
  dropped: 'older events not kept',
  emptyOutbox: 'No pending writes.',
  retry: 'Retry',
  discard: 'Discard',
  copy: 'Copy as JSON',
  copied: 'Copied.',
  copyFailed: 'Copying failed: select the text below and copy it.',
  tabRole: 'Tab role',
  latencyChart: 'Ack latency p95 (ms), last 60 s',
  queueChart: 'Queue depth, last 60 s',
  writes: 'Writes',
  metricsOff: 'Metrics are off: create the client with metrics: syncMetrics() (syncline/metrics).',
};

import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { SyncMetrics } from '../client/metrics/types.js';
import type { TabRole } from '../client/metrics/trace.js';
import type { AnySyncClient } from '../client/types.js';
import { isSyncError } from '../model/errors.js';
import { CopyJson } from './CopyJson.js';
import { HealthView } from './HealthView.js';
import type { InspectorLabels } from './labels.js';
import { MetricsView } from './MetricsView.js';
import { OutboxView } from './OutboxView.js';
import type { TimelineSnapshot } from './timeline.js';
import { timelineFor } from './timelineFor.js';
import { TimelineView } from './TimelineView.js';
import { useSamples } from './useSamples.js';
import { useTick } from './useTick.js';

/** The client's metrics, or null when it was created without `metrics: syncMetrics()`. */
function readMetrics(client: AnySyncClient): SyncMetrics | null {
  try {
    return client.getMetrics();
  } catch (error) {
    if (isSyncError(error) && error.code === 'metrics-off') return null;
    throw error;
  }
}

/** Without metrics, the role the timeline saw last (none before the inspector was mounted). */
function lastRole(snapshot: TimelineSnapshot): TabRole | null {
  const roles = snapshot.entries.flatMap(({ event }) => (event.type === 'tab-role' ? [event.role] : []));
  return roles.at(-1) ?? null;
}

export interface PanelProps {
  client: AnySyncClient;
  labels: InspectorLabels;
  limit?: number;
  onClose(): void;
}

/**
 * The inspector's panel, loaded lazily by `<SyncInspector />` (its own chunk). Shows the
 * timeline `<SyncInspector />` records from its mount; metrics, outbox and health are read once
 * a second.
 */
export default function Panel({ client, labels, limit, onClose }: PanelProps) {
  const timeline = timelineFor(client, limit);
  const snapshot = useSyncExternalStore(timeline.subscribe, timeline.getSnapshot, timeline.getSnapshot);
  const [threadId, setThreadId] = useState<string | null>(null);
  const [, setActed] = useState(0);
  const tick = useTick(1000);
  const metrics = readMetrics(client);
  const samples = useSamples(metrics, tick);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => panel.current?.focus(), []);
  return (
    <div ref={panel} className="syncline-inspector__panel" role="dialog" aria-label={labels.title} tabIndex={-1}>
      <div className="syncline-inspector__header">
        <h2>{labels.title}</h2>
        <CopyJson json={() => JSON.stringify(timeline.toJSON(threadId), null, 2)} labels={labels} />
        <button type="button" onClick={onClose}>{labels.close}</button>
      </div>
      <h3>{labels.timeline}</h3>
      <TimelineView snapshot={snapshot} labels={labels} threadId={threadId} onThread={setThreadId} />
      <h3>{labels.outbox}</h3>
      <OutboxView client={client} labels={labels} threadId={threadId} onChange={() => setActed((n) => n + 1)} />
      <h3>{labels.metrics}</h3>
      {metrics ? <MetricsView metrics={metrics} samples={samples} labels={labels} /> : <p>{labels.metricsOff}</p>}
      <h3>{labels.health}</h3>
      <HealthView health={client.getHealthStatus()} role={metrics?.tabRole ?? lastRole(snapshot)} snapshot={snapshot} labels={labels} />
    </div>
  );
}

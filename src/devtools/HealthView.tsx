import type { TabRole } from '../client/metrics/trace.js';
import type { HealthStatus } from '../model/types.js';
import { describeEvent } from './describeEvent.js';
import type { InspectorLabels } from './labels.js';
import type { TimelineSnapshot } from './timeline.js';

/** The health now, its transitions with their reasons, and this tab's role. */
export function HealthView({ health, role, snapshot, labels }: { health: HealthStatus; role: TabRole | null; snapshot: TimelineSnapshot; labels: InspectorLabels }) {
  const transitions = snapshot.entries.filter((e) => e.event.type === 'health' || e.event.type === 'tab-role');
  return (
    <section className="syncline-inspector__section" aria-label={labels.health}>
      <p data-testid="syncline-inspector-health">
        {`${health.state}${health.degradedReason ? `: ${health.degradedReason}` : ''}${health.transport ? ` via ${health.transport}` : ''}`}
      </p>
      {role && <p>{`${labels.tabRole}: ${role}`}</p>}
      {transitions.length > 0 && (
        <ol className="syncline-inspector__events">
          {transitions.map(({ n, event }) => (
            <li key={n}>{describeEvent(event)}</li>
          ))}
        </ol>
      )}
    </section>
  );
}

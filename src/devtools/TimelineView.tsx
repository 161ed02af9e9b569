import { useId } from 'react';
import type { InspectorLabels } from './labels.js';
import { describeEvent } from './describeEvent.js';
import { filterByThread, type TimelineSnapshot } from './timeline.js';

interface Props {
  snapshot: TimelineSnapshot;
  labels: InspectorLabels;
  threadId: string | null;
  onThread(threadId: string | null): void;
}

/** The trace events, newest last, with the thread filter and how many older ones were not kept. */
export function TimelineView({ snapshot, labels, threadId, onThread }: Props) {
  const selectId = useId();
  const entries = filterByThread(snapshot.entries, threadId);
  return (
    <section className="syncline-inspector__section" aria-label={labels.timeline}>
      <label htmlFor={selectId}>{labels.thread} </label>
      <select id={selectId} value={threadId ?? ''} onChange={(e) => onThread(e.target.value === '' ? null : e.target.value)}>
        <option value="">{labels.allThreads}</option>
        {snapshot.threads.map((id) => (
          <option key={id} value={id}>{id}</option>
        ))}
      </select>
      {snapshot.dropped > 0 && (
        <p className="syncline-inspector__note">{snapshot.dropped} {labels.dropped}</p>
      )}
      {entries.length === 0 ? (
        <p>{labels.noEvents}</p>
      ) : (
        <ol className="syncline-inspector__events">
          {entries.map(({ n, event }) => (
            <li key={n} data-type={event.type}>
              <time>{new Date(event.at).toISOString().slice(11, 23)}</time> {describeEvent(event)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

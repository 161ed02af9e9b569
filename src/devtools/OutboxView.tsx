import type { AnySyncClient } from '../client/types.js';
import type { InspectorLabels } from './labels.js';

interface Props {
  client: AnySyncClient;
  labels: InspectorLabels;
  threadId: string | null;
  /** Re-read after the buttons act, so the list shows the change at once. */
  onChange(): void;
}

/** The client's pending writes: Discard on any not being sent, Retry on a failed one (the client's own). */
export function OutboxView({ client, labels, threadId, onChange }: Props) {
  const items = client.getPendingItems(threadId ?? undefined);
  return (
    <section className="syncline-inspector__section" aria-label={labels.outbox}>
      {items.length === 0 ? (
        <p>{labels.emptyOutbox}</p>
      ) : (
        <ul className="syncline-inspector__outbox">
          {items.map((w) => (
            <li key={w.id} data-state={w.state}>
              <span>{`${w.name} ${w.id} (${w.threadId}) · ${w.state} · ${w.attempts}×`}</span>
              {w.lastError && <span className="syncline-inspector__error">{` ${w.lastError.kind}: ${w.lastError.message}`}</span>}
              {w.state === 'failed' && (
                <>
                  {' '}
                  <button type="button" onClick={() => { client.retry(w.id); onChange(); }}>{labels.retry}</button>
                </>
              )}
              {/* A write being sent may be applied already: it cannot be taken back (docs/outbox.md). */}
              {w.state !== 'sending' && (
                <>
                  {' '}
                  <button type="button" onClick={() => { client.discard(w.id); onChange(); }}>{labels.discard}</button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

import { lazy, Suspense, useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { AnySyncClient } from '../client/types.js';
import { DEFAULT_LABELS, type InspectorLabels } from './labels.js';
import { timelineFor } from './timelineFor.js';

/** The panel is its own chunk: an app pays for it only once someone opens the inspector. */
const Panel = lazy(() => import('./Panel.js'));

export interface SyncInspectorProps {
  client: AnySyncClient;
  /** Strings to replace (docs/devtools.md). */
  labels?: Partial<InspectorLabels>;
  /**
   * Opened on first render.
   * @default false
   */
  defaultOpen?: boolean;
  /**
   * How many trace events the timeline keeps; older ones are counted, not shown.
   * @default 1000
   */
  limit?: number;
}

/**
 * A corner button that opens the sync inspector (docs/devtools.md): timeline of writes and
 * events, outbox with retry and discard, metrics, health, tab role. Escape closes it and focus
 * returns to the button.
 */
export function SyncInspector({ client, labels, defaultOpen = false, limit }: SyncInspectorProps) {
  const [open, setOpen] = useState(defaultOpen);
  // The timeline records from the moment the inspector is mounted, closed or not: the write that
  // "did not arrive" happened before anyone opened the panel.
  useEffect(() => timelineFor(client, limit).subscribe(() => {}), [client, limit]);
  const button = useRef<HTMLButtonElement>(null);
  const text = { ...DEFAULT_LABELS, ...labels };
  const close = useCallback(() => {
    setOpen(false);
    button.current?.focus();
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && open) {
      e.stopPropagation();
      close();
    }
  };
  return (
    <div className="syncline-inspector" onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        className="syncline-inspector__toggle"
        aria-expanded={open}
        aria-label={open ? text.close : text.open}
        onClick={() => (open ? close() : setOpen(true))}
      >
        <span aria-hidden="true">⇅</span>
      </button>
      {open && (
        <Suspense fallback={<div className="syncline-inspector__panel" role="status">{text.loading}</div>}>
          <Panel client={client} labels={text} limit={limit} onClose={close} />
        </Suspense>
      )}
    </div>
  );
}

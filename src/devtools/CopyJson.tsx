import { useState } from 'react';
import type { InspectorLabels } from './labels.js';

/**
 * "Copy as JSON": the clipboard when the browser lets us; otherwise the JSON in a read-only
 * text area to copy by hand (clipboard access needs a secure context and permission).
 */
export function CopyJson({ json, labels }: { json: () => string; labels: InspectorLabels }) {
  const [state, setState] = useState<{ kind: 'idle' | 'copied' } | { kind: 'failed'; text: string }>({ kind: 'idle' });
  const copy = async () => {
    const text = json();
    try {
      await navigator.clipboard.writeText(text);
      setState({ kind: 'copied' });
    } catch {
      setState({ kind: 'failed', text });
    }
  };
  return (
    <div className="syncline-inspector__copy">
      <button type="button" onClick={() => void copy()}>{labels.copy}</button>
      <span role="status">{state.kind === 'copied' ? labels.copied : state.kind === 'failed' ? labels.copyFailed : ''}</span>
      {state.kind === 'failed' && <textarea readOnly aria-label={labels.copy} value={state.text} rows={6} />}
    </div>
  );
}

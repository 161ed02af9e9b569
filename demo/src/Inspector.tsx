import { SyncInspector } from 'syncline/devtools';
import 'syncline/devtools.css';
import type { DemoClient } from './model';

/** The demo's inspector (`?inspector` or "Show sync inspector"), in a chunk of its own. */
export function Inspector({ client }: { client: DemoClient }) {
  return <SyncInspector client={client} />;
}

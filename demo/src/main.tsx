import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createHttpConnector, createSyncClient } from 'syncline';
import { syncMetrics } from 'syncline/metrics';
import { SyncProvider } from 'syncline/react';
import 'syncline/styles.css';
import './demo.css';
import { App } from './App';
import { readConfig } from './config';
import type { DemoClient, DemoMessage } from './model';
import { createThreadIndex } from './threadIndex';

declare global {
  interface Window {
    /** The page's client, for end-to-end tests (only with `?test`). */
    __synclineClient?: DemoClient;
    /** The ids of writes rolled back in this page (`onRollback`), for end-to-end tests. */
    __synclineRollbacks?: string[];
    /** `?test`: ms from `start()` to each thread's first messages in the store (the local copy's figure). */
    __synclineFirstSeen?: Record<string, number>;
  }
}

const config = readConfig(location.search);

const client = createSyncClient<DemoMessage>({
  connector: createHttpConnector({
    baseUrl: config.serverUrl,
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
  }),
  // The default storage, IndexedDB: writes made offline survive a reload, and so does the
  // conversation (the local copy, docs/local-copy.md).
  namespace: config.namespace,
  retry: config.retry,
  liveness: config.liveness,
  poll: config.poll,
  tabs: config.tabs,
  // Counts for the sync inspector's metrics (docs/metrics.md).
  metrics: syncMetrics(),
  onRollback: (write) => {
    if (config.test) (window.__synclineRollbacks ??= []).push(write.id);
  },
});
if (config.test) {
  const startedAt = performance.now();
  const seen: Record<string, number> = Object.create(null);
  window.__synclineFirstSeen = seen;
  client.store.subscribe(({ threads }) => {
    for (const [id, thread] of Object.entries(threads)) {
      if (!(id in seen) && thread.messages.length > 0) seen[id] = performance.now() - startedAt;
    }
  });
}
// SyncProvider starts it too; start() is idempotent, and this way sync does not wait for React.
client.start();
if (config.test) window.__synclineClient = client;
const threads = createThreadIndex(config.namespace);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SyncProvider client={client}>
      <App client={client} config={config} threads={threads} />
    </SyncProvider>
  </StrictMode>,
);

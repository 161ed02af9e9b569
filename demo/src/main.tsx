import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createHttpConnector, createSyncClient, defaultStorage } from 'syncline';
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
  }
}

const config = readConfig(location.search);

const client = createSyncClient<DemoMessage>({
  connector: createHttpConnector({
    baseUrl: config.serverUrl,
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
  }),
  // IndexedDB: writes made offline survive a reload.
  storage: defaultStorage(),
  namespace: config.namespace,
  retry: config.retry,
  liveness: config.liveness,
  poll: config.poll,
  tabs: config.tabs,
  onRollback: (write) => {
    if (config.test) (window.__synclineRollbacks ??= []).push(write.id);
  },
});
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

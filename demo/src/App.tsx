import { lazy, Suspense, useState, useSyncExternalStore } from 'react';
import { DegradedBanner, SyncBadge } from 'syncline/components';
import { useUnloadGuard } from 'syncline/react';
import type { DemoConfig } from './config';
import { ConnectionStatus } from './ConnectionStatus';
import { FaultPanel } from './FaultPanel';
import { newId } from './newId';
import type { ThreadIndex } from './threadIndex';
import { ThreadView } from './ThreadView';
import { ThreadList } from './ThreadList';
import { threadHref, useSelectedThread } from './useHashRoute';
import type { DemoClient } from './model';

// The inspector is loaded only when asked for: the demo's own chunk does not carry it.
const Inspector = lazy(async () => ({ default: (await import('./Inspector')).Inspector }));

export interface AppProps {
  client: DemoClient;
  config: DemoConfig;
  threads: ThreadIndex;
}

export function App({ client, config, threads }: AppProps) {
  const list = useSyncExternalStore(threads.subscribe, threads.list);
  const selected = useSelectedThread();
  const [guard, setGuard] = useState(false);
  const [inspector, setInspector] = useState(() => new URLSearchParams(location.search).has('inspector'));

  // Opt-in: closing or reloading asks first while writes are on their way.
  useUnloadGuard(guard);

  const createThread = () => {
    const id = newId();
    // The title is the thread's first write: it exists on this device at once, on the server soon.
    client.mutate(id, 'setTitle', { title: `Chat ${list.length + 1}` });
    threads.add({ id, createdAt: Date.now() });
    location.hash = threadHref(id);
  };

  return (
    <div className="app">
      <header className="app__header">
        <h1 className="app__title">syncline demo</h1>
        <div className="app__status">
          <ConnectionStatus />
          <SyncBadge data-testid="client-badge" />
        </div>
      </header>
      <DegradedBanner className="app__banner" data-testid="degraded-banner" />
      <div className="app__body">
        <aside className="app__side">
          <ThreadList threads={list} selected={selected} onCreate={createThread} />
          <FaultPanel serverUrl={config.serverUrl} />
          <label className="field field--check unload-guard">
            <input type="checkbox" name="unloadGuard" checked={guard} onChange={(e) => setGuard(e.target.checked)} />
            Warn before leaving while changes are not saved
          </label>
          <label className="field field--check">
            <input type="checkbox" name="inspector" checked={inspector} onChange={(e) => setInspector(e.target.checked)} />
            Show sync inspector
          </label>
        </aside>
        <main className="app__main">
          {selected ? (
            <ThreadView key={selected} threadId={selected} />
          ) : (
            <div className="empty">
              <p>Pick a chat, or start one.</p>
              <button type="button" className="button" onClick={createThread}>
                New chat
              </button>
            </div>
          )}
        </main>
      </div>
      {inspector && (
        <Suspense fallback={null}>
          <Inspector client={client} />
        </Suspense>
      )}
    </div>
  );
}

// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { createSyncClient } from 'syncline';
import { DegradedBanner, PendingWriteIndicator, SyncBadge } from 'syncline/components';
import { SyncProvider, useThread } from 'syncline/react';
import { createFakeBackend } from 'syncline/testing';

function Title({ id }: { id: string }) {
  const { thread, status } = useThread(id);
  return (
    <h1 data-sync={status.state}>{thread?.title ?? 'Untitled'}</h1>
  );
}

test('provider, hooks and the three components render to a string without a window', () => {
  expect(typeof window).toBe('undefined');
  expect(typeof document).toBe('undefined');
  // Default clock, environment and storage: nothing of the browser may be touched at render.
  const client = createSyncClient({ connector: createFakeBackend().connector });
  const html = renderToString(
    <SyncProvider client={client}>
      <Title id="t1" />
      <SyncBadge threadId="t1" />
      <DegradedBanner />
      <PendingWriteIndicator threadId="t1" />
    </SyncProvider>,
  );
  expect(html).toContain('data-sync="unknown"');
  expect(html).toMatch(/<span[^>]*role="status"[^>]*data-state="unknown"/);
  expect(html).toMatch(/<div[^>]*hidden=""[^>]*data-state="hidden"/);
  expect(html).toMatch(/<div[^>]*hidden=""[^>]*data-state="empty"/);
  expect(html).not.toContain('role="alert"');
  client.dispose();
});

test('the server renders the initial state, so hydration matches whatever the client holds', () => {
  const client = createSyncClient({ connector: createFakeBackend().connector });
  client.mutate('t1', 'addMessage', {
    message: { id: 'm1', role: 'user', content: 'hi', createdAt: 0 },
  });
  expect(client.getSyncStatus('t1').state).toBe('pending');
  const html = renderToString(
    <SyncProvider client={client}>
      <SyncBadge threadId="t1" />
    </SyncProvider>,
  );
  expect(html).toContain('data-state="unknown"');
  client.dispose();
});

import { act, render } from '@testing-library/react';
import { Profiler } from 'react';
import type { ReactNode } from 'react';
import { SyncBadge, PendingWriteIndicator } from 'syncline/components';
import { SyncProvider, useThread } from 'syncline/react';
import { harnessPerTest, userMessage } from './harness.js';
import type { Harness } from './harness.js';

// The budgets of README "Bench", counted with React's <Profiler> (commits), never timed.

let h: Harness;
harnessPerTest((harness) => (h = harness));

function Counted({ id, renders, children }: { id: string; renders: Map<string, number>; children: ReactNode }) {
  return (
    <Profiler id={id} onRender={() => renders.set(id, (renders.get(id) ?? 0) + 1)}>
      {children}
    </Profiler>
  );
}

function ThreadView({ id }: { id: string }) {
  const { thread, status } = useThread(id);
  return (
    <p>
      {thread?.messages.length ?? 0} {status.state}
    </p>
  );
}

test('a component on thread A renders 0 times while thread B changes 1 000 times', async () => {
  const renders = new Map<string, number>();
  render(
    <SyncProvider client={h.client}>
      <Counted id="A" renders={renders}>
        <ThreadView id="A" />
        {/* A's first pull shows "syncing"; the badge's real-time "synced" delay must not land in the count. */}
        <SyncBadge threadId="A" syncedDelayMs={0} />
        <PendingWriteIndicator threadId="A" />
      </Counted>
      <Counted id="B" renders={renders}>
        <ThreadView id="B" />
      </Counted>
    </SyncProvider>,
  );
  await act(() => h.clock.advanceAsync(100));
  renders.clear();

  // B changes 1 000 times: local writes, each in its own task, then their acknowledgements.
  for (let i = 0; i < 1000; i++) {
    await act(async () => {
      h.client.mutate('B', 'addMessage', userMessage(`b${i}`));
    });
  }
  await act(() => h.clock.advanceAsync(2000));
  expect(h.client.getSyncStatus('B').state).toBe('synced');
  expect(h.fake.thread('B')?.messages).toHaveLength(1000);

  expect(renders.get('A') ?? 0).toBe(0);
  expect(renders.get('B')).toBeGreaterThan(0);
});

test('1 000 writes in one task render a subscribed badge at most 2 times', async () => {
  const renders = new Map<string, number>();
  const { container } = render(
    <SyncProvider client={h.client}>
      <Counted id="badge" renders={renders}>
        <SyncBadge threadId="t1" />
      </Counted>
    </SyncProvider>,
  );
  await act(() => h.clock.advanceAsync(100));
  // Acknowledgements come later, in other tasks: this measures the burst alone.
  h.fake.setFaults({ latencyMs: 50 });
  renders.clear();

  await act(async () => {
    for (let i = 0; i < 1000; i++) h.client.mutate('t1', 'addMessage', userMessage(`m${i}`));
  });

  expect(h.client.getSyncStatus('t1').pendingCount).toBe(1000);
  // A full batch (maxItems) goes out at once, so the badge may already read 'syncing'.
  expect(['pending', 'syncing']).toContain(
    container.querySelector('[data-state]')?.getAttribute('data-state'),
  );
  expect(renders.get('badge') ?? 0).toBeGreaterThan(0);
  expect(renders.get('badge') ?? 0).toBeLessThanOrEqual(2);
});

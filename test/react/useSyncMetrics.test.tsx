import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { SyncProvider, useSyncMetrics } from 'syncline/react';
import { syncMetrics } from 'syncline/metrics';
import { createHarness, harnessPerTest, userMessage, type Harness } from './harness.js';

// Issue 20: useSyncMetrics re-renders at most once per interval, and only when a number changed.
let h: Harness;
harnessPerTest((harness) => (h = harness), { client: { metrics: syncMetrics() } });
beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
afterEach(() => vi.useRealTimers());

const wrapper = ({ children }: { children: ReactNode }) => <SyncProvider client={h.client}>{children}</SyncProvider>;

test('without metrics: syncMetrics() the hook throws the SyncError that says how to turn them on', () => {
  const plain = createHarness();
  vi.spyOn(console, 'error').mockImplementation(() => {}); // React reports the render error too
  expect(() =>
    renderHook(() => useSyncMetrics(), { wrapper: ({ children }: { children: ReactNode }) => <SyncProvider client={plain.client}>{children}</SyncProvider> }),
  ).toThrow(/metrics: syncMetrics\(\)/);
  plain.dispose();
});

test('shows the client’s counts, re-rendering once per second at most and not while nothing changes', async () => {
  let renders = 0;
  const { result } = renderHook(() => (renders++, useSyncMetrics()), { wrapper });
  await act(() => h.client.ready);
  for (let i = 0; i < 5; i++) h.client.mutate('t1', 'addMessage', userMessage(`m${i}`));
  await act(() => h.until(() => h.client.getPendingItems().length === 0));
  const before = renders;
  act(() => vi.advanceTimersByTime(1000));
  expect(renders).toBe(before + 1); // five writes, one re-render
  expect(result.current).toMatchObject({ writesQueued: 5, writesAcknowledged: 5 });
  act(() => vi.advanceTimersByTime(5000));
  expect(renders).toBe(before + 1); // idle: no re-render
});

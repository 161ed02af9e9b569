import { act, render, renderHook } from '@testing-library/react';
import { StrictMode } from 'react';
import type { ReactNode } from 'react';
import {
  SyncProvider,
  usePendingItems,
  useSyncClient,
  useSyncHealth,
  useSyncStatus,
  useThread,
} from 'syncline/react';
import { harnessPerTest, userMessage } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
harnessPerTest((harness) => (h = harness));

const wrapper = ({ children }: { children: ReactNode }) => (
  <SyncProvider client={h.client}>{children}</SyncProvider>
);

describe('SyncProvider', () => {
  test('starts the client on mount and stops it on unmount', () => {
    expect(h.client.getHealthStatus().state).toBe('stopped');
    const { unmount } = render(<SyncProvider client={h.client}>x</SyncProvider>);
    expect(h.client.getHealthStatus().state).not.toBe('stopped');
    unmount();
    expect(h.client.getHealthStatus().state).toBe('stopped');
  });

  test('hooks outside a provider throw an error that says how to fix it', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => renderHook(() => useSyncClient())).toThrow(/SyncProvider/);
  });
});

describe('useSyncStatus', () => {
  test('a thread never seen reads as one constant unknown status', () => {
    const { result, rerender } = renderHook(() => useSyncStatus('nope'), { wrapper });
    const first = result.current;
    expect(first).toMatchObject({ state: 'unknown', pendingCount: 0, failedCount: 0, error: null });
    rerender();
    expect(result.current).toBe(first);
  });

  test('without an id it reads the whole client', async () => {
    const { result } = renderHook(() => useSyncStatus(), { wrapper });
    await act(async () => {
      h.client.mutate('a', 'addMessage', userMessage());
      h.client.mutate('b', 'addMessage', userMessage());
    });
    expect(result.current.pendingCount).toBe(2);
    await act(() => h.clock.advanceAsync(500));
    expect(result.current).toBe(h.client.store.getState().clientStatus);
    expect(result.current.state).toBe('synced');
  });
});

describe('useThread', () => {
  test('shows a write at once and synced once the server has it', async () => {
    const { result } = renderHook(() => useThread('t1'), { wrapper });
    const write = userMessage('m-hi', 'hi');
    await act(async () => {
      result.current.mutate('addMessage', write);
    });
    expect(result.current.thread?.messages.map((m) => m.content)).toEqual(['hi']);
    expect(result.current.status.state).toBe('pending');
    await act(() => h.clock.advanceAsync(500));
    expect(result.current.status.state).toBe('synced');
    expect(h.fake.thread('t1')?.messages.map((m) => m.id)).toEqual([write.message.id]);
  });

  test('loads a thread the server already has as soon as it mounts', async () => {
    h.fake.backend.serverWrite('t1', 'setTitle', { title: 'Already there' });
    const { result } = renderHook(() => useThread('t1'), { wrapper });
    await act(() => h.clock.advanceAsync(100));
    expect(result.current.thread?.title).toBe('Already there');
    expect(result.current.status.state).toBe('synced');
  });

  test('keeps its result while nothing it reads changes', async () => {
    const { result } = renderHook(() => useThread('t1'), { wrapper });
    await act(() => h.clock.advanceAsync(100));
    const first = result.current;
    await act(async () => void h.client.mutate('other', 'addMessage', userMessage()));
    await act(() => h.clock.advanceAsync(500));
    expect(result.current).toBe(first);
  });

  test('shows what another writer put on the server', async () => {
    const { result } = renderHook(() => useThread('t1'), { wrapper });
    await act(() => h.clock.advanceAsync(100));
    await act(async () => {
      h.fake.backend.serverWrite('t1', 'setTitle', { title: 'From the server' });
    });
    await act(() => h.clock.advanceAsync(500));
    expect(result.current.thread?.title).toBe('From the server');
  });

  test('StrictMode leaves exactly one watch per thread, and unmount unwatches', async () => {
    const { unmount } = render(
      <StrictMode>
        <SyncProvider client={h.client}>
          <Reader id="t1" />
          <Reader id="t2" />
        </SyncProvider>
      </StrictMode>,
    );
    expect(Object.fromEntries(h.watches)).toEqual({ t1: 1, t2: 1 });
    // One pull covers every watched thread.
    await act(() => h.client.syncImmediately('probe'));
    expect(h.pulls.at(-1)?.sort()).toEqual(['probe', 't1', 't2']);

    unmount();
    expect(Object.fromEntries(h.watches)).toEqual({ t1: 0, t2: 0 });
    // Unwatched threads are no longer pulled.
    await act(() => h.client.syncImmediately('other'));
    expect(h.pulls.at(-1)).toEqual(['other']);
  });

  test('changing the thread id moves the watch', () => {
    const { rerender } = render(
      <SyncProvider client={h.client}>
        <Reader id="a" />
      </SyncProvider>,
    );
    rerender(
      <SyncProvider client={h.client}>
        <Reader id="b" />
      </SyncProvider>,
    );
    expect(Object.fromEntries(h.watches)).toEqual({ a: 0, b: 1 });
  });
});

describe('usePendingItems', () => {
  test('lists a rejected write as failed; retry sends it again, discard drops it', async () => {
    const { result } = renderHook(() => ({ p: usePendingItems('t1'), t: useThread('t1') }), {
      wrapper,
    });
    await act(async () => {
      result.current.t.mutate('editMessage', { messageId: 'missing', content: 'x' });
    });
    expect(result.current.p.items).toHaveLength(1);
    await act(() => h.clock.advanceAsync(500));
    const [failed] = result.current.p.items;
    expect(failed?.state).toBe('failed');
    expect(failed?.lastError?.message).toMatch(/missing/);

    const pushes = h.fake.stats().requests.push;
    await act(async () => result.current.p.retry(failed!.id));
    await act(() => h.clock.advanceAsync(500));
    expect(h.fake.stats().requests.push).toBeGreaterThan(pushes);
    expect(result.current.p.items[0]?.state).toBe('failed');

    await act(async () => result.current.p.discard(failed!.id));
    expect(result.current.p.items).toEqual([]);
    expect(result.current.t.status.state).not.toBe('error');
  });

  test('without an id it lists every thread', async () => {
    const { result } = renderHook(() => usePendingItems(), { wrapper });
    await act(async () => {
      h.client.mutate('a', 'addMessage', userMessage());
      h.client.mutate('b', 'addMessage', userMessage());
    });
    expect(result.current.items.map((w) => w.threadId)).toEqual(['a', 'b']);
  });
});

describe('useSyncHealth', () => {
  test('reports going offline and coming back', async () => {
    const { result } = renderHook(() => useSyncHealth(), { wrapper });
    await act(() => h.clock.advanceAsync(100));
    expect(result.current.degraded).toBe(false);
    await act(async () => {
      h.fake.setFaults({ offline: true });
      h.env.setOnline(false);
    });
    expect(result.current).toMatchObject({ degraded: true, degradedReason: 'offline' });
    await act(async () => {
      h.fake.setFaults({});
      h.env.setOnline(true);
    });
    await act(() => h.clock.advanceAsync(5000));
    expect(result.current.degraded).toBe(false);
  });
});

function Reader({ id }: { id: string }) {
  const { status } = useThread(id);
  return <span>{status.state}</span>;
}

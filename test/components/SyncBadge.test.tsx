import { act, render, screen } from '@testing-library/react';
import { createRef } from 'react';
import { SyncBadge } from 'syncline/components';
import type { SyncState } from 'syncline';
import type { SyncBadgeLabels } from 'syncline/components';
import { SyncProvider } from 'syncline/react';
import { harnessPerTest, userMessage } from '../react/harness.js';
import type { Harness } from '../react/harness.js';
import { driveBadge } from './drive.js';

let h: Harness;
// The badge's own "synced" delay runs on timers; the client runs on its fake clock.
beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());
harnessPerTest((harness) => (h = harness));

const renderBadge = (props: Parameters<typeof SyncBadge>[0] = {}) =>
  render(
    <SyncProvider client={h.client}>
      <SyncBadge threadId="t1" {...props} />
    </SyncProvider>,
  );
const badge = () => screen.getByRole('status');
const drive = Object.fromEntries(
  Object.entries(driveBadge).map(([state, fn]) => [state, () => fn(h)]),
) as Record<SyncState, () => Promise<void>>;

describe('SyncBadge', () => {
  test.each(Object.keys(drive) as SyncState[])(
    'data-state="%s" follows the client',
    async (state) => {
      renderBadge();
      await drive[state]();
      await act(async () => vi.advanceTimersByTime(300));
      expect(h.client.getSyncStatus('t1').state).toBe(state);
      expect(badge().getAttribute('data-state')).toBe(state);
    },
  );

  test('is a live region with one root element', () => {
    const { container } = renderBadge();
    expect(container.childElementCount).toBe(1);
    expect(container.firstElementChild).toBe(badge());
    expect(badge().getAttribute('aria-live')).toBe('polite');
  });

  test('forwards its ref and spreads the rest of its props on the root', () => {
    const ref = createRef<HTMLSpanElement>();
    const onClick = vi.fn();
    renderBadge({
      ref,
      id: 'b',
      title: 'sync',
      className: 'mine',
      style: { margin: 3 },
      'aria-label': 'Thread sync',
      onClick,
    } as Parameters<typeof SyncBadge>[0]);
    expect(ref.current).toBe(badge());
    expect(badge().id).toBe('b');
    expect(badge().title).toBe('sync');
    expect(badge().className).toBe('syncline-badge mine');
    expect(badge().style.margin).toBe('3px');
    expect(badge().getAttribute('aria-label')).toBe('Thread sync');
    badge().click();
    expect(onClick).toHaveBeenCalledOnce();
  });

  test('labels replace every string', async () => {
    const labels: SyncBadgeLabels = {
      unknown: 'L-unknown',
      synced: 'L-synced',
      pending: 'L-pending',
      syncing: 'L-syncing',
      offline: 'L-offline',
      error: 'L-error',
      lastSynced: (seconds) => `L-last-${seconds}`,
    };
    renderBadge({ labels, syncedDelayMs: 0 });
    for (const state of ['unknown', 'pending', 'syncing', 'synced', 'error'] as const) {
      if (state !== 'unknown') await drive[state]();
      h.fake.setFaults({});
      expect(badge().textContent).toBe(labels[badge().getAttribute('data-state') as keyof SyncBadgeLabels]);
    }
  });

  test('unstyled drops every syncline class and keeps the user one', () => {
    const { container } = renderBadge({ unstyled: true, className: 'mine' });
    expect(badge().className).toBe('mine');
    expect(container.innerHTML).not.toContain('syncline-');
  });

  test('"synced" waits 300 ms after syncing; pending, offline and error never wait', async () => {
    renderBadge();
    h.fake.setFaults({ latencyMs: 200 });
    await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
    expect(badge().getAttribute('data-state')).toBe('pending');
    await act(() => h.clock.advanceAsync(1000));
    expect(h.client.getSyncStatus('t1').state).toBe('synced');
    // The badge holds the busy label it last showed: 'syncing' in React 19, 'pending' where React
    // 18 batched the whole round trip into one render.
    const held = badge().getAttribute('data-state');
    expect(['pending', 'syncing']).toContain(held);
    await act(async () => vi.advanceTimersByTime(299));
    expect(badge().getAttribute('data-state')).toBe(held);
    await act(async () => vi.advanceTimersByTime(1));
    expect(badge().getAttribute('data-state')).toBe('synced');

    // A new write during the hold shows at once.
    await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
    expect(badge().getAttribute('data-state')).toBe('pending');
    await act(async () => {
      h.fake.setFaults({ offline: true });
      h.env.setOnline(false);
    });
    expect(badge().getAttribute('data-state')).toBe('offline');
  });

  test('syncedDelayMs={0} shows synced as soon as the client says so', async () => {
    renderBadge({ syncedDelayMs: 0 });
    await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
    await act(() => h.clock.advanceAsync(1000));
    expect(badge().getAttribute('data-state')).toBe('synced');
  });

  test('never shows "synced" while a write is unacknowledged', async () => {
    renderBadge({ syncedDelayMs: 0 });
    h.fake.setFaults({ latencyMs: 40, jitterMs: 80, errorRate: 0.3, seed: 7 });
    const seen = new Set<string>();
    for (let step = 0; step < 400; step++) {
      if (step % 7 === 0) await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
      if (step === 200) h.fake.setFaults({ offline: true, latencyMs: 40 });
      if (step === 260) h.fake.setFaults({ latencyMs: 40 });
      await act(() => h.clock.advanceAsync(10));
      const shown = badge().getAttribute('data-state')!;
      seen.add(shown);
      if (shown === 'synced') expect(h.client.getPendingItems('t1')).toEqual([]);
    }
    await act(() => h.clock.advanceAsync(60_000));
    expect(badge().getAttribute('data-state')).toBe('synced');
    // While the server is unreachable, a failed ping makes the waiting writes read 'offline'.
    expect(seen).toEqual(new Set(['pending', 'syncing', 'synced', 'offline']));
  });
});

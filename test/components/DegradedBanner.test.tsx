import { act, cleanup, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createRef } from 'react';
import type { DegradedReason } from 'syncline';
import { DegradedBanner } from 'syncline/components';
import type { DegradedBannerLabels, DegradedBannerProps } from 'syncline/components';
import { SyncProvider } from 'syncline/react';
import { createHarness, userMessage } from '../react/harness.js';
import type { Harness, HarnessOptions } from '../react/harness.js';
import { degradedBy, type ReportedReason } from './drive.js';

let h: Harness;
beforeEach(() => {
  // The banner's own wake-ups run on timers, the client on its fake clock: `advance` moves both.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  cleanup(); // unmount before the client stops, so no update lands outside act()
  h?.dispose();
  vi.useRealTimers();
});

function setup(props: DegradedBannerProps = {}, options: HarnessOptions = {}) {
  h = createHarness(options);
  const view = render(
    <SyncProvider client={h.client}>
      <DegradedBanner now={h.clock.now} {...props} />
    </SyncProvider>,
  );
  const root = () => view.container.firstElementChild as HTMLElement;
  return { ...view, root };
}
const advance = async (ms: number, step = 100) => {
  for (let t = 0; t < ms; t += step) {
    await act(async () => {
      await h.clock.advanceAsync(Math.min(step, ms - t));
      vi.advanceTimersByTime(Math.min(step, ms - t));
    });
  }
};
const goOffline = () =>
  act(async () => {
    h.fake.setFaults({ offline: true });
    h.env.setOnline(false);
  });
const goOnline = () =>
  act(async () => {
    h.fake.setFaults({});
    h.env.setOnline(true);
  });

describe('DegradedBanner', () => {
  test('while healthy it keeps its root, hidden, with data-state="hidden" and no alert', async () => {
    const { root, container } = setup();
    await advance(3000);
    expect(h.client.getHealthStatus()).toMatchObject({ state: 'live', degraded: false });
    expect(container.childElementCount).toBe(1);
    expect(root().getAttribute('data-state')).toBe('hidden');
    expect(root().hidden).toBe(true);
    expect(root().getAttribute('role')).toBeNull();
    expect(root().textContent).toBe('');
  });

  test('a blip shorter than 1.5 s never shows', async () => {
    const { root } = setup();
    await advance(500);
    await goOffline();
    for (let t = 0; t < 1400; t += 100) {
      await advance(100);
      expect(root().getAttribute('data-state')).toBe('hidden');
    }
    await goOnline();
    await advance(5000);
    expect(root().getAttribute('data-state')).toBe('hidden');
  });

  test('appears as an alert after 1.5 s, says why and for how long, and ticks', async () => {
    const { root } = setup();
    await advance(500);
    await goOffline();
    await advance(1400);
    expect(root().getAttribute('data-state')).toBe('hidden');
    await advance(100);
    expect(root().getAttribute('data-state')).toBe('visible');
    expect(root().getAttribute('role')).toBe('alert');
    expect(root().hidden).toBe(false);
    expect(root().getAttribute('data-reason')).toBe('offline');
    expect(root().textContent).toContain('You are offline.');
    expect(root().textContent).toContain('For 1 s.');
    await advance(1000);
    expect(root().textContent).toContain('For 2 s.');
    await advance(60_000);
    expect(root().textContent).toContain('For 1 min.');

    await goOnline();
    await advance(3000);
    expect(root().getAttribute('data-state')).toBe('hidden');
    expect(root().getAttribute('role')).toBeNull();
  });

  test('delayMs changes how long degradation must last', async () => {
    const { root } = setup({ delayMs: 4000 });
    await advance(500);
    await goOffline();
    await advance(3900);
    expect(root().getAttribute('data-state')).toBe('hidden');
    await advance(100);
    expect(root().getAttribute('data-state')).toBe('visible');
  });

  test.each(Object.keys(degradedBy) as ReportedReason[])('names the reason "%s"', async (reason) => {
    const labels = { [reason]: `Because: ${reason}` };
    const { root } = setup({ labels }, degradedBy[reason]);
    await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
    await advance(4000);
    expect(h.client.getHealthStatus().degradedReason).toBe(reason);
    expect(root().getAttribute('data-state')).toBe('visible');
    expect(root().getAttribute('data-reason')).toBe(reason);
    expect(root().textContent).toContain(`Because: ${reason}`);
  });

  test("an app's label under the old name 'push-unavailable' still shows while the stream is unavailable", async () => {
    // Apps written before the rename (docs/liveness.md): the old name still type-checks.
    const old: DegradedReason = 'push-unavailable';
    const { root } = setup({ labels: { [old]: 'Live updates are off (old label).' } }, degradedBy['stream-unavailable']);
    await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
    await advance(4000);
    expect(h.client.getHealthStatus().degradedReason).toBe('stream-unavailable');
    expect(root().getAttribute('data-reason')).toBe('stream-unavailable');
    expect(root().textContent).toContain('Live updates are off (old label).');
  });

  test('a label under the new name wins over one under the old name', async () => {
    const labels = { 'push-unavailable': 'old', 'stream-unavailable': 'new' };
    const { root } = setup({ labels }, degradedBy['stream-unavailable']);
    await advance(4000);
    expect(root().textContent).toContain('new');
    expect(root().textContent).not.toContain('old');
  });

  test('"Retry now" is reachable by keyboard and pulls at once', async () => {
    // user-event and Testing Library wait on real timers.
    vi.useRealTimers();
    const onRetry = vi.fn();
    const { root, getByRole } = setup({ onRetry, delayMs: 0 });
    await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
    await goOffline();
    await act(() => h.clock.advanceAsync(2000));
    const button = getByRole('button', { name: 'Retry now' });
    const user = userEvent.setup();
    await user.tab();
    expect(document.activeElement).toBe(button);
    const pulls = h.pulls.length;
    await user.keyboard('{Enter}');
    expect(onRetry).toHaveBeenCalledOnce();
    expect(h.pulls.length).toBeGreaterThan(pulls);
    expect(root().getAttribute('data-state')).toBe('visible');
  });

  test('onRetry runs first and can prevent the reconnect', async () => {
    const { getByRole } = setup({ onRetry: (event) => event.preventDefault() });
    await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
    await goOffline();
    await advance(2000);
    const pulls = h.pulls.length;
    await act(async () => getByRole('button').click());
    expect(h.pulls.length).toBe(pulls);
  });

  test('forwards its ref, spreads rest props, merges className and style', async () => {
    const ref = createRef<HTMLDivElement>();
    const { root } = setup({
      ref,
      id: 'banner',
      className: 'mine',
      style: { marginTop: 4 },
      'data-testid': 'x',
    } as DegradedBannerProps);
    await advance(100);
    expect(ref.current).toBe(root());
    expect(root().id).toBe('banner');
    expect(root().className).toBe('syncline-banner mine');
    expect(root().style.marginTop).toBe('4px');
    expect(root().getAttribute('data-testid')).toBe('x');
  });

  test('labels replace every string; unstyled drops the syncline classes', async () => {
    const labels: DegradedBannerLabels = {
      offline: 'Hors ligne.',
      'stream-unavailable': 'x',
      'server-errors': 'x',
      stale: 'x',
      auth: 'x',
      fenced: 'x',
      storage: 'x',
      degraded: 'x',
      duration: (s) => `Depuis ${s} s.`,
      retry: 'Réessayer',
    };
    const { root, container } = setup({ labels, unstyled: true, className: 'mine' });
    await goOffline();
    await advance(2000);
    expect(root().textContent).toBe('Hors ligne. Depuis 2 s.Réessayer');
    expect(root().className).toBe('mine');
    expect(container.innerHTML).not.toContain('syncline-');
  });
});

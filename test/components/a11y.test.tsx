import { act, cleanup, render } from '@testing-library/react';
import axe from 'axe-core';
import type { SyncState } from 'syncline';
import { DegradedBanner, PendingWriteIndicator, SyncBadge } from 'syncline/components';
import { SyncProvider } from 'syncline/react';
import { createHarness, userMessage } from '../react/harness.js';
import type { Harness, HarnessOptions } from '../react/harness.js';
import { degradedBy, driveBadge, type ReportedReason } from './drive.js';

// jsdom has no layout, so axe cannot judge colour contrast here; the Storybook run in Chromium
// (a11y: { test: 'error' }) checks it for every story, in light and dark.

let h: Harness | undefined;
afterEach(() => {
  cleanup(); // unmount before the client stops, so no update lands outside act()
  h?.dispose();
});

async function violations(container: HTMLElement) {
  const result = await axe.run(container, { resultTypes: ['violations'] });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`);
}

async function mount(options: HarnessOptions = {}) {
  h = createHarness(options);
  const view = render(
    <SyncProvider client={h.client}>
      <main>
        <SyncBadge threadId="t1" syncedDelayMs={0} />
        <DegradedBanner delayMs={0} now={h.clock.now} />
        <PendingWriteIndicator threadId="t1" />
      </main>
    </SyncProvider>,
  );
  // Let the stream open: its health changes land inside act().
  await act(() => h!.clock.advanceAsync(0));
  return view;
}

test.each(Object.keys(driveBadge) as SyncState[])('SyncBadge "%s": no axe violations', async (state) => {
  const { container } = await mount();
  await driveBadge[state](h!);
  expect(container.querySelector('.syncline-badge')?.getAttribute('data-state')).toBe(state);
  expect(await violations(container)).toEqual([]);
});

test.each(['hidden', ...Object.keys(degradedBy)] as Array<'hidden' | ReportedReason>)(
  'DegradedBanner "%s": no axe violations',
  async (reason) => {
    const { container } = await mount(reason === 'hidden' ? {} : degradedBy[reason]);
    await act(async () => void h!.client.mutate('t1', 'addMessage', userMessage()));
    for (let t = 0; t < 4000; t += 100) await act(() => h!.clock.advanceAsync(100));
    // The banner re-reads the time on its own (real) timer.
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    const banner = container.querySelector('.syncline-banner')!;
    expect(banner.getAttribute('data-reason') ?? 'hidden').toBe(reason);
    expect(await violations(container)).toEqual([]);
  },
);

test.each(['empty', 'pending', 'failed'] as const)(
  'PendingWriteIndicator "%s": no axe violations',
  async (state) => {
    const { container } = await mount();
    if (state === 'pending') await driveBadge.pending(h!);
    if (state === 'failed') {
      await driveBadge.error(h!);
      await driveBadge.pending(h!);
    }
    expect(container.querySelector('.syncline-pending')?.getAttribute('data-state')).toBe(state);
    expect(await violations(container)).toEqual([]);
  },
);

import { cleanup, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { DegradedReason, SyncState } from 'syncline';
import { DegradedBanner, PendingWriteIndicator, SyncBadge } from 'syncline/components';
import { SyncProvider } from 'syncline/react';
import 'syncline/styles.css';
import { page } from 'vitest/browser';
import {
  createScenario,
  disposeScenarios,
  failingWrite,
  scenarioDegraded,
  scenarioInState,
  userMessage,
} from '../../stories/support/scenario.js';
import type { Scenario } from '../../stories/support/scenario.js';

// Every component state, rendered by a real client over the fake backend, in light and dark,
// in real Chromium. Screenshots land in test-results/screenshots/ (paths are relative to this
// file). Each shot also checks the state and that the theme really applied.

const SHOTS = '../../test-results/screenshots';
const themes = ['light', 'dark'] as const;
const background = { light: 'rgb(255, 255, 255)', dark: 'rgb(13, 17, 23)' };

beforeAll(async () => {
  await page.viewport(800, 600);
  // The frame around each shot: the theme's page background, so contrast reads as in an app.
  const style = document.createElement('style');
  style.textContent = `
    .shot { display: grid; gap: 12px; justify-items: start; width: 480px; padding: 16px;
            background: var(--syncline-bg); color: var(--syncline-fg); }
    .shot > .syncline-banner, .shot > .syncline-pending { justify-self: stretch; }`;
  document.head.append(style);
});

afterEach(() => {
  cleanup();
  disposeScenarios();
});

async function shoot(name: string, theme: (typeof themes)[number], scenario: Scenario, ui: ReactNode) {
  const { container } = render(
    <SyncProvider client={scenario.client}>
      <div className="shot" data-theme={theme} data-testid="shot">
        {ui}
      </div>
    </SyncProvider>,
  );
  const frame = container.querySelector<HTMLElement>('[data-testid="shot"]')!;
  expect(getComputedStyle(frame).backgroundColor).toBe(background[theme]);
  await page.screenshot({ element: frame, path: `${SHOTS}/${name}-${theme}.png` });
  return frame;
}

describe.each(themes)('%s theme', (theme) => {
  test.each(['unknown', 'pending', 'syncing', 'synced', 'offline', 'error'] as SyncState[])(
    'SyncBadge %s',
    async (state) => {
      const scenario = await scenarioInState(state);
      const frame = await shoot(`badge-${state}`, theme, scenario, <SyncBadge threadId="t1" />);
      expect(frame.querySelector('[role="status"]')?.getAttribute('data-state')).toBe(state);
    },
  );

  test.each(['offline', 'server-errors', 'stream-unavailable', 'stale', 'auth', 'fenced'] as Array<Exclude<DegradedReason, 'push-unavailable'>>)(
    'DegradedBanner %s',
    async (reason) => {
      const scenario = await scenarioDegraded(reason);
      const frame = await shoot(
        `banner-${reason}`,
        theme,
        scenario,
        <DegradedBanner now={scenario.clock.now} />,
      );
      const banner = frame.querySelector('[role="alert"]');
      expect(banner?.getAttribute('data-reason')).toBe(reason);
      expect(banner?.textContent).toMatch(/For \d+ s\./);
    },
  );

  test('PendingWriteIndicator pending', async () => {
    const scenario = createScenario({ faults: { latencyMs: 60_000 } });
    for (const text of ['one', 'two', 'three']) scenario.client.mutate('t1', 'addMessage', userMessage(text));
    await scenario.advance(200);
    const frame = await shoot('pending-pending', theme, scenario, <PendingWriteIndicator threadId="t1" />);
    expect(frame.querySelector('.syncline-pending')?.getAttribute('data-state')).toBe('pending');
  });

  test('PendingWriteIndicator failed', async () => {
    const scenario = createScenario();
    await scenario.advance(100);
    failingWrite(scenario.client, 't1', '<img src=x onerror=alert(1)>');
    await scenario.advance(500);
    scenario.client.mutate('t1', 'addMessage', userMessage('still waiting'));
    await Promise.resolve(); // the store publishes at the end of the task
    const frame = await shoot('pending-failed', theme, scenario, <PendingWriteIndicator threadId="t1" />);
    expect(frame.querySelector('.syncline-pending')?.getAttribute('data-state')).toBe('failed');
    expect(frame.querySelector('img')).toBeNull();
  });

  test('all three together, as an app shows them', async () => {
    const scenario = createScenario();
    await scenario.advance(100);
    failingWrite(scenario.client, 't1', 'm-42');
    await scenario.advance(500);
    scenario.backend.setFaults({ offline: true });
    scenario.environment.setOnline(false);
    scenario.client.mutate('t1', 'addMessage', userMessage('kept on this device'));
    await scenario.advance(3000);
    const frame = await shoot(
      'all',
      theme,
      scenario,
      <>
        <SyncBadge threadId="t1" />
        <DegradedBanner now={scenario.clock.now} />
        <PendingWriteIndicator threadId="t1" />
      </>,
    );
    expect(frame.querySelector('[role="alert"]')).not.toBeNull();
  });
});

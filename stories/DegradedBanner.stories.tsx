import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect } from 'storybook/test';
import type { DegradedReason } from 'syncline';
import { DegradedBanner } from 'syncline/components';
import { scenarioDegraded } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';
import { withScenario } from './support/withScenario.js';

/**
 * Says why sync is degraded and for how long, once it has lasted `delayMs` (1.5 s), and offers
 * "Retry now". Each story degrades a real client over the fake backend for 4 s of fake time.
 */
const meta = {
  title: 'Components/DegradedBanner',
  component: DegradedBanner,
  tags: ['autodocs'],
  decorators: [withScenario],
  // The banner reads time from the client's (fake) clock, so "For 4 s" stays put.
  render: (args, { loaded }) => <DegradedBanner now={(loaded.scenario as Scenario).clock.now} {...args} />,
} satisfies Meta<typeof DegradedBanner>;

export default meta;
type Story = StoryObj<typeof meta>;

const degraded = (reason: Exclude<DegradedReason, 'push-unavailable'>, text: string): Story => ({
  loaders: [async () => ({ scenario: await scenarioDegraded(reason) })],
  play: async ({ canvas }) => {
    const banner = canvas.getByRole('alert');
    await expect(banner).toHaveAttribute('data-state', 'visible');
    await expect(banner).toHaveAttribute('data-reason', reason);
    await expect(banner).toHaveTextContent(text);
    await expect(banner).toHaveTextContent(/For \d+ s\./);
    await expect(canvas.getByRole('button', { name: 'Retry now' })).toBeEnabled();
  },
});

/** Healthy: the root stays in the page, hidden, with `data-state="hidden"`. */
export const Hidden: Story = {
  loaders: [async () => ({ scenario: await scenarioDegraded(null) })],
  play: async ({ canvasElement, canvas }) => {
    const root = canvasElement.querySelector('.syncline-banner');
    await expect(root).toHaveAttribute('data-state', 'hidden');
    await expect(root).not.toBeVisible();
    await expect(canvas.queryByRole('alert')).toBeNull();
  },
};
export const Offline = degraded('offline', 'You are offline.');
export const ServerErrors = degraded('server-errors', 'The server is having trouble.');
export const StreamUnavailable = degraded('stream-unavailable', 'Live updates are unavailable.');
export const Stale = degraded('stale', 'Live updates stopped arriving.');
export const Auth = degraded('auth', 'Your session has expired.');
export const Fenced = degraded('fenced', 'Another tab took over syncing.');
/** The device storage is full: writes are sent from memory, and closing the tab would lose them. */
export const Storage = degraded('storage', 'closing it would lose them');

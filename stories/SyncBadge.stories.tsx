import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect } from 'storybook/test';
import type { SyncState } from 'syncline';
import { SyncBadge } from 'syncline/components';
import { scenarioFromCopy, scenarioInState } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';
import { withScenario } from './support/withScenario.js';

/**
 * A `role="status"` live region saying whether a thread (or the whole client) is saved. Each
 * story drives a real client over the fake backend into one state.
 */
const meta = {
  title: 'Components/SyncBadge',
  component: SyncBadge,
  tags: ['autodocs'],
  args: { threadId: 't1' },
  decorators: [withScenario],
} satisfies Meta<typeof SyncBadge>;

export default meta;
type Story = StoryObj<typeof meta>;

const inState = (state: SyncState, text: string): Story => ({
  loaders: [async () => ({ scenario: await scenarioInState(state) })],
  play: async ({ canvas }) => {
    const badge = canvas.getByRole('status');
    await expect(badge).toHaveAttribute('data-state', state);
    await expect(badge).toHaveTextContent(text);
  },
});

/** The client has never heard of this thread. */
export const Unknown = inState('unknown', 'Not synced yet');
/** A write waits its turn in the outbox. */
export const Pending = inState('pending', 'Waiting to save');
/** A push carrying this thread's write is on its way. */
export const Syncing = inState('syncing', 'Saving…');
/** The server has everything. */
export const Synced = inState('synced', 'Saved');
/** Writes wait and the device is offline: they are kept and sent on reconnect. */
export const Offline = inState('offline', 'Offline: changes kept on this device');
/** The server rejected a write; it stays listed until retried or discarded. */
export const ErrorState: Story = { ...inState('error', 'Some changes failed to save'), name: 'Error' };

/**
 * A reload without a network, 5 minutes after the last sync: the conversation is on screen from
 * the local copy, and the badge says how old it is instead of "Saved".
 */
export const LastSynced: Story = {
  loaders: [async () => ({ scenario: await scenarioFromCopy(5) })],
  render: (args, { loaded }) => <SyncBadge now={(loaded.scenario as Scenario).clock.now} {...args} />,
  play: async ({ canvas }) => {
    const badge = canvas.getByRole('status');
    await expect(badge).toHaveAttribute('data-state', 'unknown');
    await expect(badge).toHaveTextContent('Last synced 5 min ago');
  },
};

/** Every string comes from `labels`. */
export const Translated: Story = {
  ...inState('synced', 'Enregistré'),
  args: { labels: { synced: 'Enregistré' } },
};

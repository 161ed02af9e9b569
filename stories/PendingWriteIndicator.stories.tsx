import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor } from 'storybook/test';
import { PendingWriteIndicator } from 'syncline/components';
import { createFullStorage } from 'syncline/testing';
import { createScenario, failingWrite, scenarioInState, userMessage } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';
import { withScenario } from './support/withScenario.js';

/**
 * How many writes wait for the server, and each failed one with the server's error and
 * keyboard-reachable Retry / Discard. Driven by a real client over the fake backend.
 */
const meta = {
  title: 'Components/PendingWriteIndicator',
  component: PendingWriteIndicator,
  tags: ['autodocs'],
  args: { threadId: 't1' },
  decorators: [withScenario],
} satisfies Meta<typeof PendingWriteIndicator>;

export default meta;
type Story = StoryObj<typeof meta>;

const XSS = '<img src=x onerror=alert(1)>';

/** Nothing waits: the root stays, hidden, with `data-state="empty"`. */
export const Empty: Story = {
  loaders: [async () => ({ scenario: await scenarioInState('synced') })],
  play: async ({ canvasElement }) => {
    const root = canvasElement.querySelector('.syncline-pending');
    await expect(root).toHaveAttribute('data-state', 'empty');
    await expect(root).not.toBeVisible();
  },
};

/** Three writes wait for a slow server. */
export const Pending: Story = {
  loaders: [
    async () => {
      const s = createScenario({ faults: { latencyMs: 60_000 } });
      for (const text of ['one', 'two', 'three']) s.client.mutate('t1', 'addMessage', userMessage(text));
      await s.advance(200);
      return { scenario: s };
    },
  ],
  play: async ({ canvasElement }) => {
    const root = canvasElement.querySelector('.syncline-pending');
    await expect(root).toHaveAttribute('data-state', 'pending');
    await expect(root).toHaveTextContent('3 changes waiting to sync');
  },
};

/** The device refuses to store writes: they wait in this tab's memory only, and it says so. */
export const Unsaved: Story = {
  loaders: [
    async () => {
      const s = createScenario({ faults: { latencyMs: 60_000 }, client: { storage: createFullStorage() } });
      for (const text of ['one', 'two']) s.client.mutate('t1', 'addMessage', userMessage(text));
      await s.advance(200);
      return { scenario: s };
    },
  ],
  play: async ({ canvasElement }) => {
    const root = canvasElement.querySelector('.syncline-pending');
    await expect(root).toHaveAttribute('data-state', 'pending');
    await expect(root).toHaveTextContent('2 changes are only in this tab: closing it would lose them');
  },
};

/**
 * The server rejected a write; its error, which quotes HTML-looking text, shows as text. Retry
 * sends it again; Discard drops it.
 */
export const Failed: Story = {
  loaders: [
    async () => {
      const s = createScenario();
      await s.advance(100);
      failingWrite(s.client, 't1', XSS);
      await s.advance(500);
      return { scenario: s };
    },
  ],
  play: async ({ canvasElement, canvas, userEvent, loaded }) => {
    const root = canvasElement.querySelector('.syncline-pending')!;
    await expect(root).toHaveAttribute('data-state', 'failed');
    await expect(root).toHaveTextContent('1 change could not be saved');
    await expect(root).toHaveTextContent(XSS);
    await expect(root.querySelector('img')).toBeNull();

    const scenario = loaded.scenario as Scenario;
    const discard = canvas.getByRole('button', { name: 'Discard' });
    await expect(discard).toHaveAccessibleDescription(expect.stringContaining(XSS));
    await userEvent.tab();
    await expect(canvas.getByRole('button', { name: 'Retry' })).toHaveFocus();
    await userEvent.tab();
    await expect(discard).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(scenario.client.getPendingItems('t1')).toEqual([]));
    await waitFor(() => expect(root).toHaveAttribute('data-state', 'empty'));

    // Put it back so the story keeps showing what it is named for.
    failingWrite(scenario.client, 't1', XSS);
    await scenario.advance(500);
    await waitFor(() => expect(root).toHaveAttribute('data-state', 'failed'));
  },
};

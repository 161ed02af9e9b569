import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor } from 'storybook/test';
import { SyncInspector } from 'syncline/devtools';
import 'syncline/devtools.css';
import { createScenario, failingWrite, scenarioDegraded, userMessage } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';

/**
 * `<SyncInspector client />` (syncline/devtools): a corner button that opens a panel with the
 * client's timeline, outbox, metrics (when the client counts them) and health. Each story drives a real client over the fake
 * backend; the panel is opened on first render except in "Closed".
 */
const meta = {
  title: 'Devtools/SyncInspector',
  component: SyncInspector,
  render: (args, { loaded }) => <SyncInspector {...args} client={(loaded.scenario as Scenario).client} />,
} satisfies Meta<typeof SyncInspector>;

export default meta;
type Story = StoryObj<typeof meta>;

const placeholder = { client: undefined as never };

/** Only the corner button: the panel's code is not loaded until it is opened. */
export const Closed: Story = {
  args: placeholder,
  loaders: [async () => ({ scenario: createScenario() })],
  play: async ({ canvas }) => {
    const button = canvas.getByRole('button', { name: 'Open sync inspector' });
    await expect(button).toHaveAttribute('aria-expanded', 'false');
  },
};

/** Opened on a client that has done nothing yet. */
export const OpenEmpty: Story = {
  args: { ...placeholder, defaultOpen: true },
  loaders: [async () => ({ scenario: createScenario() })],
  play: async ({ canvas }) => {
    await expect(await canvas.findByRole('dialog')).toBeVisible();
    await expect(canvas.getByText('No pending writes.')).toBeVisible();
  },
};

/** A write whose first push got a 503, retried and acknowledged (driven once the panel listens). */
export const WriteThroughFault: Story = {
  args: { ...placeholder, defaultOpen: true },
  loaders: [async () => ({ scenario: createScenario() })],
  play: async ({ canvas, loaded }) => {
    const s = loaded.scenario as Scenario;
    const dialog = await canvas.findByRole('dialog');
    s.backend.setFaults({ errorRate: 1 });
    s.client.mutate('t1', 'addMessage', userMessage('through a 503'));
    await s.advance(300);
    s.backend.setFaults({});
    await s.advance(3000);
    await waitFor(() => expect(dialog).toHaveTextContent(/push failed HTTP 503/));
    await waitFor(() => expect(dialog).toHaveTextContent(/write acknowledged/));
  },
};

/** The server refused a write: the outbox offers Retry and Discard. */
export const FailedWrite: Story = {
  args: { ...placeholder, defaultOpen: true },
  loaders: [
    async () => {
      const s = createScenario();
      await s.advance(100);
      failingWrite(s.client, 't1');
      await s.advance(500);
      return { scenario: s };
    },
  ],
  play: async ({ canvas }) => {
    await canvas.findByRole('dialog');
    await expect(await canvas.findByRole('button', { name: /Discard/ })).toBeEnabled();
  },
};

/** Offline: the health section shows the transition and its reason. */
export const Offline: Story = {
  args: { ...placeholder, defaultOpen: true },
  loaders: [async () => ({ scenario: await scenarioDegraded('offline') })],
  play: async ({ canvas }) => {
    const dialog = await canvas.findByRole('dialog');
    await waitFor(() => expect(dialog).toHaveTextContent(/offline/));
  },
};

/** A client created without `metrics: syncMetrics()`: the panel says how to turn them on. */
export const MetricsOff: Story = {
  args: { ...placeholder, defaultOpen: true },
  loaders: [async () => ({ scenario: createScenario({ client: { metrics: undefined } }) })],
  play: async ({ canvas, loaded }) => {
    const s = loaded.scenario as Scenario;
    const dialog = await canvas.findByRole('dialog');
    s.client.mutate('t1', 'addMessage', userMessage('counted nowhere'));
    await s.advance(1000);
    await expect(dialog).toHaveTextContent(/Metrics are off/);
    await waitFor(() => expect(dialog).toHaveTextContent(/write acknowledged/));
  },
};

/** The timeline of one thread only. */
export const FilteredByThread: Story = {
  args: { ...placeholder, defaultOpen: true },
  loaders: [async () => ({ scenario: createScenario() })],
  play: async ({ canvas, loaded, userEvent }) => {
    const s = loaded.scenario as Scenario;
    await canvas.findByRole('dialog');
    s.client.mutate('a', 'addMessage', userMessage('in a'));
    s.client.mutate('b', 'addMessage', userMessage('in b'));
    await s.advance(1000);
    const select = await canvas.findByRole('combobox');
    await waitFor(() => expect(select).toHaveTextContent(/b/));
    await userEvent.selectOptions(select, 'b');
    await waitFor(() => expect(canvas.getByRole('dialog')).not.toHaveTextContent(/\(a\)/));
  },
};

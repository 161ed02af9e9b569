import type { Meta, StoryObj } from '@storybook/react-vite';
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { expect, waitFor } from 'storybook/test';
import { DegradedBanner, PendingWriteIndicator, SyncBadge } from 'syncline/components';
import { SyncProvider, useThread } from 'syncline/react';
import { createScenario, userMessage } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';
import './support/live.css';

interface LiveArgs {
  /** The device loses the network: every request fails and the page reports offline. */
  offline: boolean;
  /** Share of push and pull requests answered 503. */
  errorRate: number;
  /** Added to every request. */
  latencyMs: number;
  /** The event stream stays open but silent (detected after 4 s). */
  stall: boolean;
}

function Chat({ scenario }: { scenario: Scenario }) {
  const { thread, mutate } = useThread('t1');
  const [draft, setDraft] = useState('');
  const send = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim() === '') return;
    mutate('addMessage', userMessage(draft.trim()));
    setDraft('');
  };
  return (
    <section className="live" aria-label="Live demo">
      <header className="live__header">
        <h2 className="live__title">Thread t1</h2>
        <SyncBadge threadId="t1" />
      </header>
      <DegradedBanner />
      <ol className="live__messages" aria-label="Messages">
        {thread?.messages.map((m) => (
          <li key={m.id} className="live__message" data-role={m.role} data-status={m.status}>
            <strong>{m.role}</strong> {m.content}
          </li>
        ))}
      </ol>
      <PendingWriteIndicator threadId="t1" />
      <form className="live__form" onSubmit={send}>
        <label htmlFor="live-draft">Message</label>
        <input id="live-draft" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit">Send</button>
        <button type="button" onClick={() => scenario.backend.reply('t1', { tokens: 24, intervalMs: 60 })}>
          Stream an assistant reply
        </button>
      </form>
    </section>
  );
}

function Live({ scenario, offline, errorRate, latencyMs, stall }: LiveArgs & { scenario: Scenario }) {
  useEffect(() => {
    scenario.backend.setFaults({ offline, errorRate, latencyMs, stream: { stall } });
    scenario.environment.setOnline(!offline);
  }, [scenario, offline, errorRate, latencyMs, stall]);
  return (
    <SyncProvider client={scenario.client}>
      <Chat scenario={scenario} />
    </SyncProvider>
  );
}

/**
 * A real client over the fake backend on the real clock. Turn the faults on and off from the
 * controls and watch the badge, the banner and the pending list tell the truth.
 */
const meta = {
  title: 'Live',
  tags: ['autodocs'],
  args: { offline: false, errorRate: 0, latencyMs: 150, stall: false },
  argTypes: {
    offline: { control: 'boolean' },
    errorRate: { control: { type: 'range', min: 0, max: 1, step: 0.05 } },
    latencyMs: { control: { type: 'range', min: 0, max: 5000, step: 50 } },
    stall: { control: 'boolean' },
  },
  loaders: [
    async () => ({
      scenario: createScenario({
        clock: 'real',
        client: { liveness: { staleAfterMs: 4000 }, retry: { baseMs: 300, maxMs: 3000 } },
      }),
    }),
  ],
  render: (args, { loaded }) => <Live {...args} scenario={loaded.scenario as Scenario} />,
} satisfies Meta<LiveArgs>;

export default meta;
type Story = StoryObj<typeof meta>;

export const Playground: Story = {
  play: async ({ canvas, userEvent, loaded }) => {
    const scenario = loaded.scenario as Scenario;
    const badge = canvas.getByRole('status');
    await userEvent.type(canvas.getByLabelText('Message'), 'Hello there');
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    await expect(canvas.getByText('Hello there')).toBeInTheDocument();
    await waitFor(() => expect(badge).toHaveAttribute('data-state', 'synced'), { timeout: 5000 });
    await waitFor(() => expect(scenario.backend.thread('t1')?.messages).toHaveLength(1));

    await userEvent.click(canvas.getByRole('button', { name: 'Stream an assistant reply' }));
    await waitFor(
      () => {
        const reply = canvasElementMessage(canvas.getAllByRole('listitem'), 'assistant');
        expect(reply?.getAttribute('data-status')).toBe('done');
      },
      { timeout: 8000 },
    );
  },
};

/** The same demo, starting offline: writes are kept and the banner explains why. */
export const StartingOffline: Story = {
  args: { offline: true },
  play: async ({ canvas, userEvent }) => {
    await userEvent.type(canvas.getByLabelText('Message'), 'Written offline');
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(canvas.getByRole('status')).toHaveAttribute('data-state', 'offline'));
    await waitFor(() => expect(canvas.getByRole('alert')).toHaveAttribute('data-reason', 'offline'), {
      timeout: 5000,
    });
    await expect(canvas.getByText('1 change waiting to sync')).toBeInTheDocument();
  },
};

function canvasElementMessage(items: HTMLElement[], role: string) {
  return items.find((item) => item.getAttribute('data-role') === role);
}

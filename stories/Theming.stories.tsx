import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect } from 'storybook/test';
import { DegradedBanner, PendingWriteIndicator, SyncBadge } from 'syncline/components';
import { SyncProvider } from 'syncline/react';
import { createScenario, failingWrite, userMessage } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';
import './support/theming.css';

const panels = [
  { name: 'Light', theme: 'light', className: undefined },
  { name: 'Dark', theme: 'dark', className: undefined },
  { name: 'Brand', theme: 'light', className: 'brand-theme' },
] as const;

function Panels({ scenario }: { scenario: Scenario }) {
  return (
    <SyncProvider client={scenario.client}>
      <div className="theming">
        {panels.map((p) => (
          <section
            key={p.name}
            aria-label={`${p.name} theme`}
            data-theme={p.theme}
            className={['theming__panel', p.className].filter(Boolean).join(' ')}
          >
            <h2>{p.name}</h2>
            <SyncBadge threadId="t1" />
            <DegradedBanner now={scenario.clock.now} />
            <PendingWriteIndicator threadId="t1" />
          </section>
        ))}
      </div>
    </SyncProvider>
  );
}

/**
 * Light and dark defaults (`data-theme`, or the OS preference), and a brand theme set only
 * through `--syncline-*` custom properties. The client is offline with a rejected write, so
 * every component has something to show.
 */
const meta = {
  title: 'Theming',
  tags: ['autodocs'],
  parameters: { layout: 'fullscreen' },
  loaders: [
    async () => {
      const s = createScenario();
      await s.advance(100);
      failingWrite(s.client, 't1', 'm-42');
      await s.advance(500);
      s.backend.setFaults({ offline: true });
      s.environment.setOnline(false);
      s.client.mutate('t1', 'addMessage', userMessage('kept on this device'));
      await s.advance(3000);
      return { scenario: s };
    },
  ],
  render: (_args, { loaded }) => <Panels scenario={loaded.scenario as Scenario} />,
} satisfies Meta;

export default meta;
type Story = StoryObj<typeof meta>;

export const Themes: Story = {
  play: async ({ canvas }) => {
    const style = (name: string, selector: string) =>
      getComputedStyle(canvas.getByRole('region', { name: `${name} theme` }).querySelector(selector)!);

    for (const p of panels) {
      const region = canvas.getByRole('region', { name: `${p.name} theme` });
      await expect(region.querySelector('.syncline-badge')).toHaveAttribute('data-state', 'error');
      await expect(region.querySelector('.syncline-banner')).toHaveAttribute('data-reason', 'offline');
      await expect(region.querySelector('.syncline-pending')).toHaveAttribute('data-state', 'failed');
    }
    const light = style('Light', '.syncline-badge');
    const dark = style('Dark', '.syncline-badge');
    const brand = style('Brand', '.syncline-badge');
    await expect(light.backgroundColor).toBe('rgb(246, 248, 250)');
    await expect(dark.backgroundColor).toBe('rgb(21, 27, 35)');
    await expect(brand.backgroundColor).toBe('rgb(243, 239, 255)');
    await expect(brand.fontFamily).toContain('Georgia');
    await expect(style('Brand', '.syncline-pending__retry').backgroundColor).toBe('rgb(90, 46, 166)');
  },
};

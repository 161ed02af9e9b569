import type { Preview } from '@storybook/react-vite';
import 'syncline/styles.css';
import './preview.css';

const preview: Preview = {
  parameters: {
    // Any axe violation fails the story's test (vitest addon) and shows red in the a11y panel.
    a11y: { test: 'error' },
    controls: { expanded: true },
    layout: 'padded',
  },
  globalTypes: {
    theme: {
      description: 'syncline theme (sets data-theme on the story root)',
      toolbar: {
        title: 'Theme',
        icon: 'contrast',
        items: [
          { value: 'light', title: 'Light' },
          { value: 'dark', title: 'Dark' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { theme: 'light' },
  // Stories get a real client from a loader (`loaded.scenario`); stop it when the story goes.
  beforeEach: ({ loaded }) => () => (loaded.scenario as { dispose?: () => void } | undefined)?.dispose?.(),
  decorators: [
    (Story, context) => (
      <div className="sb-syncline-root" data-theme={context.globals.theme === 'dark' ? 'dark' : 'light'}>
        <Story />
      </div>
    ),
  ],
};

export default preview;

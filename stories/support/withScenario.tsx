import type { Decorator } from '@storybook/react-vite';
import { SyncProvider } from 'syncline/react';
import type { Scenario } from './scenario.js';

/** Puts the story under a SyncProvider for the scenario its loader made. */
export const withScenario: Decorator = (Story, { loaded }) => (
  <SyncProvider client={(loaded.scenario as Scenario).client}>
    <Story />
  </SyncProvider>
);

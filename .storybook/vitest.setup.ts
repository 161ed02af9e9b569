import { afterEach } from 'vitest';
import { disposeScenarios } from '../stories/support/scenario.js';

// Storybook >= 10.3 applies preview.tsx and the addons' annotations (a11y: { test: 'error' }
// included) to stories run as tests by itself, unless this file sets project annotations of its
// own (the plugin looks for that call by name, so it is not even named here). What this file
// adds: each story's client and fake backend are torn down after its test, so no timer or
// stream leaks into the next story.
afterEach(() => {
  disposeScenarios();
});

import * as a11yAddonAnnotations from '@storybook/addon-a11y/preview';
import { setProjectAnnotations } from '@storybook/react-vite';
import * as projectAnnotations from './preview.js';

// Applies preview.tsx (decorators, a11y: { test: 'error' }) and the a11y addon to every story
// run as a test. Storybook >= 10.3 would do it by itself; being explicit keeps older setups alike.
setProjectAnnotations([a11yAddonAnnotations, projectAnnotations]);

import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const browserGlobals = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage',
  'indexedDB', 'location', 'requestAnimationFrame', 'BroadcastChannel'];

/** The engine's folders, in import order: each imports only the ones before it. */
const ENGINE_LAYERS = ['model', 'platform', 'protocol', 'transport', 'outbox', 'liveness', 'client'];
const OUTER_LAYERS = ['react', 'components', 'query', 'metrics', 'devtools', 'ai', 'testing', 'server'];

/**
 * Production code never imports the test kit (docs/architecture.md, "Layers"): every file under
 * src/ but src/testing/ itself, at any depth. Kept in the engine's own rule too (a later rule for
 * the same files replaces this one).
 */
const NO_TESTING = {
  group: ['./testing/*', '../testing/*', '../../testing/*', '../../../testing/*', 'syncline/testing'],
  message: 'Production code never imports src/testing/ (docs/architecture.md, "Layers"); move what it needs to the production side.',
};

export default tseslint.config(
  { ignores: ['.prof/**', 'dist/**', 'storybook-static/**', 'node_modules/**', 'test-results/**', 'coverage/**', 'demo/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/react/**/*.{ts,tsx}', 'src/components/**/*.{ts,tsx}', 'src/devtools/**/*.{ts,tsx}', 'src/ai/react/**/*.{ts,tsx}', 'stories/**/*.{ts,tsx}', 'demo/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // docs/architecture.md, "Layers": the engine below the client is framework-free and reaches
    // the browser only through its adapters (src/platform/).
    files: ENGINE_LAYERS.slice(0, -1).map((layer) => `src/${layer}/**/*.ts`),
    rules: {
      'no-restricted-globals': ['error',
        ...browserGlobals.map((name) => ({ name, message: 'Reach the browser through Environment (src/platform/environment.ts).' })),
        ...['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'].map((name) => ({ name, message: 'Use the injected Clock.' })),
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Use the injected Clock.' },
        { object: 'Math', property: 'random', message: 'Use clock.random().' },
        { object: 'globalThis', property: 'window', message: 'Reach the browser through Environment.' },
        { object: 'globalThis', property: 'document', message: 'Reach the browser through Environment.' },
      ],
    },
  },
  {
    // docs/architecture.md, "Layers": nothing that ships imports the test kit.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/testing/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_TESTING] }] },
  },
  // docs/architecture.md, "Layers": each folder of the engine imports only the folders above it.
  ...ENGINE_LAYERS.map((layer, i) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          layer === 'client'
            ? { group: ['react', 'react-dom', 'react/*', 'react-dom/*', 'zustand/react'], message: 'src/client uses zustand\'s vanilla store only; React lives in src/react.' }
            : { group: ['react', 'react-dom', 'react/*', 'react-dom/*', 'zustand', 'zustand/*'], message: `src/${layer} must not import React or zustand.` },
          {
            group: [...ENGINE_LAYERS.slice(i + 1), ...OUTER_LAYERS].map((other) => `../${other}/*`),
            message: `src/${layer} imports ${i === 0 ? 'no other folder' : `only ${ENGINE_LAYERS.slice(0, i).join(', ')}`} (docs/architecture.md, "Layers").`,
          },
          NO_TESTING,
        ],
      }],
    },
  })),
);

import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const browserGlobals = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage',
  'indexedDB', 'location', 'requestAnimationFrame', 'BroadcastChannel'];

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
    files: ['src/react/**/*.{ts,tsx}', 'src/components/**/*.{ts,tsx}', 'stories/**/*.{ts,tsx}', 'demo/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // docs/architecture.md, "Layers": core is framework-free and reaches the browser only through its adapters.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['react', 'react-dom', 'react/*', 'react-dom/*', 'zustand', 'zustand/*'], message: 'src/core must not import React or zustand (docs/architecture.md, "Layers").' },
          { group: ['../store/*', '../react/*', '../components/*', '../query/*', '../testing/*', '../server/*'], message: 'src/core imports no other layer (docs/architecture.md, "Layers").' },
        ],
      }],
      'no-restricted-globals': ['error',
        ...browserGlobals.map((name) => ({ name, message: 'Reach the browser through Environment (src/core/environment.ts).' })),
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
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['react', 'react-dom', 'zustand/react', '../react/*', '../components/*', '../query/*', '../testing/*', '../server/*'], message: 'store/ imports only core/ (docs/architecture.md, "Layers").' }] }],
    },
  },
);

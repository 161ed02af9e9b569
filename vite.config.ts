import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/** Tests import the public package paths, resolved to the sources. */
export const alias = [
  { find: /^syncline$/, replacement: src('index.ts') },
  { find: /^syncline\/styles\.css$/, replacement: src('components/styles.css') },
  { find: /^syncline\/devtools\.css$/, replacement: src('devtools/devtools.css') },
  { find: /^syncline\/(react|components|query|metrics|devtools|testing|server|ai|ai\/server|ai\/react)$/, replacement: src('$1/index.ts') },
];

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Each browser project needs its own config object (a shared one is rejected by vitest).
 * Chromium is looked for only when a browser project starts, not when this file loads: `vite build`
 * and the demo read this config too and need no browser. A browser project without Chromium still
 * fails its run, saying how to install it; it is never skipped.
 */
export function chromium() {
  const provider = playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } });
  return {
    enabled: true,
    headless: true,
    provider: {
      ...provider,
      providerFactory(...args: Parameters<typeof provider.providerFactory>) {
        if (!existsSync(CHROMIUM)) throw new Error(missingChromium());
        return provider.providerFactory(...args);
      },
    },
    instances: [{ browser: 'chromium' as const }],
  };
}

export const missingChromium = () =>
  `Browser tests need Chromium at ${CHROMIUM} (set CHROMIUM_PATH to move it). ` +
  'Install it with: apt-get install -y chromium';

const react18 = (path: string) => fileURLToPath(new URL(`./test/react18/node_modules/${path}`, import.meta.url));
const ai6 = (path: string) => fileURLToPath(new URL(`./test/ai6/node_modules/${path}`, import.meta.url));

/** Fails the test or file in which an unhandled rejection or uncaught exception happens. */
const leakCheck = ['test/setup/rejections.ts'];

const peers = /^(react|react-dom|zustand|immer|@tanstack\/react-query|eventsource-parser|idb-keyval|pg|redis|@redis\/[^/]+|ai|@ai-sdk\/[^/]+)(\/.*)?$/;

export default defineConfig({
  plugins: [react()],
  resolve: { alias },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    lib: {
      formats: ['es'],
      entry: {
        index: src('index.ts'),
        'react/index': src('react/index.ts'),
        'components/index': src('components/index.ts'),
        'query/index': src('query/index.ts'),
        'metrics/index': src('metrics/index.ts'),
        'devtools/index': src('devtools/index.ts'),
        'ai/index': src('ai/index.ts'),
        'ai/server/index': src('ai/server/index.ts'),
        'ai/react/index': src('ai/react/index.ts'),
        'testing/index': src('testing/index.ts'),
        'server/index': src('server/index.ts'),
      },
      fileName: (_format, name) => `${name}.js`,
      cssFileName: 'styles',
    },
    rolldownOptions: {
      external: (id) => peers.test(id) || id.startsWith('node:'),
      output: {
        // Bundling drops module directives: put 'use client' back on every chunk holding React
        // code, so React Server Components frameworks treat hooks and components as client code.
        banner: (chunk) =>
          chunk.moduleIds.some((id) => /[\\/]src[\\/](react|components|devtools|ai[\\/]react)[\\/]/.test(id)) ? "'use client';" : '',
      },
    },
  },
  test: {
    globals: true,
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/react/**', 'test/components/**', 'test/browser/**', 'test/e2e/**'],
          setupFiles: leakCheck,
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'dom',
          environment: 'jsdom',
          setupFiles: leakCheck,
          include: ['test/react/**/*.test.{ts,tsx}', 'test/components/**/*.test.{ts,tsx}', 'test/devtools/**/*.test.tsx', 'test/ai/**/*.test.tsx'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.browser.test.{ts,tsx}'],
          browser: chromium(),
        },
      },
      {
        extends: true,
        // The same hook and component tests against React 18 (test/react18 holds its install):
        // React, React DOM and Testing Library all resolve to that copy, nothing else changes.
        resolve: {
          alias: [
            { find: /^react$/, replacement: react18('react/index.js') },
            { find: /^react-dom$/, replacement: react18('react-dom/index.js') },
            { find: /^(react|react-dom|@testing-library\/react|@testing-library\/dom)(\/.*)?$/, replacement: react18('$1$2') },
          ],
        },
        test: {
          name: 'react18',
          environment: 'jsdom',
          setupFiles: leakCheck,
          include: ['test/react/**/*.test.{ts,tsx}', 'test/components/**/*.test.{ts,tsx}'],
        },
      },
      {
        extends: true,
        // The chunk mapping against AI SDK 6 (test/ai6 holds its install), as against 7 in `unit`:
        // `ai` resolves to that copy, nothing else changes.
        resolve: {
          alias: [
            { find: /^ai$/, replacement: ai6('ai/dist/index.mjs') },
            { find: /^ai\/test$/, replacement: ai6('ai/dist/test/index.mjs') },
          ],
        },
        test: {
          name: 'ai6',
          environment: 'node',
          env: { SYNCLINE_AI_SDK: '6' },
          setupFiles: leakCheck,
          include: ['test/ai/applyChunk.test.ts', 'test/ai/chunkProperty.test.ts', 'test/ai/replyChunks.test.ts', 'test/ai/sdkVersion.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // The demo app driven in real Chromium by playwright-core while the dev server misbehaves.
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        // Every story in stories/ runs as a test in Chromium: its play function, then axe.
        plugins: [storybookTest({ configDir: fileURLToPath(new URL('./.storybook', import.meta.url)) })],
        test: {
          name: 'storybook',
          browser: chromium(),
          setupFiles: ['.storybook/vitest.setup.ts'],
        },
      },
    ],
  },
});

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import type { Plugin, UserConfig } from 'vite';

const src = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

// The root vite.config.ts exports the same aliases, but importing it also loads the Storybook and
// browser-test plugins; the demo needs none of that.
const alias = [
  { find: /^syncline$/, replacement: src('index.ts') },
  { find: /^syncline\/styles\.css$/, replacement: src('components/styles.css') },
  { find: /^syncline\/devtools\.css$/, replacement: src('devtools/devtools.css') },
  { find: /^syncline\/(react|components|query|metrics|devtools|testing|server|ai|ai\/server|ai\/react)$/, replacement: src('$1/index.ts') },
];

/**
 * Tells the page where the dev server is, in a `<meta name="syncline-server">` tag (a `?server=`
 * query param still wins). A tag, not a `define`: a define is part of Vite's dependency hash, and
 * each new URL would make Vite re-bundle the dependencies.
 */
function serverUrlTag(serverUrl: string, chatUrl: string | undefined): Plugin {
  return {
    name: 'syncline-demo:server-url',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { name: 'syncline-server', content: serverUrl }, injectTo: 'head' },
      ...(chatUrl ? [{ tag: 'meta', attrs: { name: 'syncline-chat-server', content: chatUrl }, injectTo: 'head' as const }] : []),
    ],
  };
}

/**
 * The demo's Vite config, for a dev server at `serverUrl` and the useChat page's server at
 * `chatUrl` (scripts/demo.ts and the e2e tests).
 */
export function demoConfig(serverUrl: string, chatUrl?: string): UserConfig {
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    cacheDir: fileURLToPath(new URL('../node_modules/.vite-demo', import.meta.url)),
    plugins: [react(), serverUrlTag(serverUrl, chatUrl)],
    resolve: { alias },
    // Listed up front so the first visit does not discover them and reload the page mid-test.
    optimizeDeps: {
      include: [
        'react',
        'react/jsx-runtime',
        'react/jsx-dev-runtime',
        'react-dom',
        'react-dom/client',
        'zustand/vanilla',
        'immer',
        'idb-keyval',
        'eventsource-parser',
        '@ai-sdk/react',
        'ai',
      ],
    },
    server: { host: '127.0.0.1', port: 5173 },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      rollupOptions: { input: { main: fileURLToPath(new URL('./index.html', import.meta.url)), chat: fileURLToPath(new URL('./chat.html', import.meta.url)) } },
    },
  };
}

/** `npx vite demo` works too, against SYNCLINE_SERVER or a dev server on the default port. */
export default defineConfig(demoConfig(process.env.SYNCLINE_SERVER ?? 'http://127.0.0.1:8787'));

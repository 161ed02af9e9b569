import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createServer, mergeConfig, preview } from 'vite';
import { demoConfig } from './vite.config';

export interface DemoServerOptions {
  /** 0 lets the system pick a free port. @default 5173 (4173 for the preview) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The dev server the page talks to by default (a `?server=` query param still wins). */
  serverUrl: string;
  /** The server of the useChat page, demo/chat.html (demo/chatServer.ts). */
  chatUrl?: string;
  /**
   * Reload the page when a source file changes. Off for tests, so an edit elsewhere in the tree
   * cannot reload a page in the middle of a run. @default true
   */
  hmr?: boolean;
  /** @default 'info' */
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
}

export interface DemoServer {
  /** `http://host:port/`, with the trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Serves demo/ with Vite's dev server (used by `npm run demo` and the end-to-end tests). */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const hmr = options.hmr ?? true;
  const vite = await createServer(
    mergeConfig(demoConfig(options.serverUrl, options.chatUrl), {
      configFile: false,
      logLevel: options.logLevel ?? 'info',
      clearScreen: false,
      server: {
        host: options.host ?? '127.0.0.1',
        port: options.port ?? 5173,
        strictPort: false,
        ...(hmr ? {} : { hmr: false, ws: false, watch: null }),
      },
    }),
  );
  await vite.listen();
  const url = vite.resolvedUrls?.local[0];
  if (!url) {
    await vite.close();
    throw new Error('Vite started but reported no local URL.');
  }
  return { url, close: () => vite.close() };
}

/**
 * Builds demo/ for production into a temporary folder and serves it with `vite preview`: what
 * users of an app get (React's production build), for measurements such as long tasks.
 */
export async function startDemoPreview(options: Omit<DemoServerOptions, 'hmr'>): Promise<DemoServer> {
  const outDir = await mkdtemp(join(tmpdir(), 'syncline-demo-'));
  const config = mergeConfig(demoConfig(options.serverUrl, options.chatUrl), {
    configFile: false,
    logLevel: options.logLevel ?? 'info',
    clearScreen: false,
    build: { outDir, emptyOutDir: true },
    preview: { host: options.host ?? '127.0.0.1', port: options.port ?? 4173, strictPort: false },
  });
  try {
    await build(config);
    const server = await preview(config);
    const url = server.resolvedUrls?.local[0];
    if (!url) {
      await server.close();
      throw new Error('vite preview started but reported no local URL.');
    }
    return {
      url,
      async close() {
        await server.close();
        await rm(outDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
}

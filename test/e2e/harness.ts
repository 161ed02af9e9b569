import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createDevServer } from 'syncline/server';
import type { DevServer, DevServerOptions } from 'syncline/server';
import { startDemoPreview, startDemoServer } from '../../demo/serve';
import type { DemoServer } from '../../demo/serve';
import { CHROMIUM, CHROMIUM_ARGS } from '../../vite.config';

const SCREENSHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

/** The client timers every test page uses unless it says otherwise: short, so runs stay quick. */
export const FAST_CLIENT = {
  timeoutMs: 2000,
  retryBaseMs: 50,
  retryMaxMs: 1000,
  staleAfterMs: 3000,
  pollMs: 500,
};

export interface Rig {
  server: DevServer;
  demo: DemoServer;
  browser: Browser;
  /** A fresh profile (empty IndexedDB and localStorage) with the demo open on a new chat. */
  open(params?: Record<string, string | number>): Promise<DemoPage>;
  close(): Promise<void>;
}

export interface DemoPage {
  context: BrowserContext;
  page: Page;
  threadId: string;
}

export interface RigOptions {
  server?: DevServerOptions;
  /**
   * 'dev': Vite's dev server, what `npm run demo` serves. 'preview': a production build served by
   * `vite preview`, for measurements (React's development build does several times the work).
   * @default 'dev'
   */
  demo?: 'dev' | 'preview';
}

/** A dev server and the demo on Vite, both on free ports, and Chromium. Close it in afterAll. */
export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const serverOptions = options.server ?? {};
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The end-to-end tests need Chromium at ${CHROMIUM} (set CHROMIUM_PATH to move it). ` +
        'Install it with: apt-get install -y chromium',
    );
  }
  // Keepalives well inside FAST_CLIENT.staleAfterMs, so a healthy stream never looks stale.
  const server = await createDevServer({ keepaliveMs: 1000, ...serverOptions, port: 0 });
  const started: Array<() => Promise<unknown>> = [() => server.close()];
  const close = async () => {
    for (const stop of started.reverse()) await stop().catch(() => {});
  };
  try {
    const demo =
      options.demo === 'preview'
        ? await startDemoPreview({ port: 0, serverUrl: server.url, logLevel: 'warn' })
        : await startDemoServer({ port: 0, serverUrl: server.url, hmr: false, logLevel: 'warn' });
    started.push(() => demo.close());
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    started.push(() => browser.close());

    const open = async (params: Record<string, string | number> = {}): Promise<DemoPage> => {
      const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      await page.goto(demoUrl(demo.url, server.url, params));
      await page.getByRole('button', { name: 'New chat' }).first().click();
      await page.locator('[data-testid="thread-badge"]').waitFor();
      const threadId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/t\//, ''));
      return { context, page, threadId };
    };
    return { server, demo, browser, open, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The demo's URL with its query params: the server, `test` (exposes the client), fast timers. */
export function demoUrl(base: string, serverUrl: string, params: Record<string, string | number> = {}): string {
  const url = new URL(base);
  const all = { server: serverUrl, test: '', ...FAST_CLIENT, ...params };
  for (const [key, value] of Object.entries(all)) url.searchParams.set(key, String(value));
  return url.toString();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}.png`;
  await page.screenshot({ path });
  return path;
}

/** Polls `check` on the real clock (the browser and the server run on it) until it holds. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Types one message the way a person does: into the composer, then Enter. */
export async function send(page: Page, text: string): Promise<void> {
  // A CSS selector: role queries walk the accessibility tree of a page holding hundreds of messages.
  const composer = page.locator('textarea[name="message"]');
  await composer.fill(text);
  await composer.press('Enter');
}

/** The user messages the server holds for a thread, in order. */
export function serverUserMessages(server: DevServer, threadId: string) {
  return (server.backend.thread(threadId)?.messages ?? []).filter((m) => m.role === 'user');
}

/** How many writes the page's client has not had acknowledged (needs `?test`). */
export function pagePending(page: Page): Promise<number> {
  return page.evaluate(() => window.__synclineClient!.getPendingItems().length);
}

/**
 * Records a figure for `npm run bench`, which shows the browser's numbers from the last
 * `npm test` beside its own (test-results/e2e/metrics.json).
 */
export function recordMetric(figure: string, value: number | string, budget: string, ok: boolean): void {
  const file = 'test-results/e2e/metrics.json';
  mkdirSync(dirname(file), { recursive: true });
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all[figure] = { value, budget, ok };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

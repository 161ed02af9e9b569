/**
 * Tabs in real Chromium (pages of one browser context, as a person's tabs are): what the dev
 * server sees while N tabs of the demo sit idle, and how long a hand-off takes when the leader's
 * tab goes. Wall-clock figures belong here, not in tests (docs/tabs.md).
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startDemoPreview } from '../demo/serve.js';
import { createDevServer } from '../src/server/dev/devServer.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../vite.config.js';

export interface TabsFigures {
  /** Per tab count: event streams open and requests the server got per idle minute. */
  idle: Array<{ tabs: number; streams: number; requestsPerMinute: number }>;
  /** Streams open with 8 tabs that each keep their own connection (`tabs: 'alone'`). */
  aloneStreams: number;
  /** From closing the leader's tab to the next leader's stream open on the server (ms). */
  handOffMs: number;
}

const IDLE_WINDOW_MS = 20_000;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await wait(10);
  }
}

export async function measureTabs(): Promise<TabsFigures> {
  const server = await createDevServer({ port: 0 });
  const demo = await startDemoPreview({ port: 0, serverUrl: server.url, logLevel: 'warn' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const total = () => Object.values(server.stats().requests).reduce((a, b) => a + b, 0) - server.stats().requests.admin;
  const open = async (context: BrowserContext, ns: string, extra = ''): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`${demo.url}?server=${encodeURIComponent(server.url)}&ns=${ns}${extra}#/t/idle-${ns}`);
    await page.locator('[data-testid="thread-badge"]').waitFor();
    return page;
  };
  try {
    const idle: TabsFigures['idle'] = [];
    for (const n of [1, 4, 8]) {
      const context = await browser.newContext();
      for (let i = 0; i < n; i++) await open(context, `idle${n}`);
      await waitFor(() => server.stats().openStreams === 1, 10_000, 'one stream');
      await wait(3000); // settled: the first pulls are done
      const before = total();
      await wait(IDLE_WINDOW_MS);
      idle.push({
        tabs: n,
        streams: server.stats().openStreams,
        requestsPerMinute: Math.round(((total() - before) * 60_000) / IDLE_WINDOW_MS),
      });
      await context.close();
      await waitFor(() => server.stats().openStreams === 0, 10_000, 'the streams to close');
    }

    const alone = await browser.newContext();
    for (let i = 0; i < 8; i++) await open(alone, 'alone', '&tabs=alone');
    await wait(3000);
    const aloneStreams = server.stats().openStreams;
    await alone.close();
    await waitFor(() => server.stats().openStreams === 0, 10_000, 'the streams to close');

    const context = await browser.newContext();
    const pages: Page[] = [];
    for (let i = 0; i < 4; i++) pages.push(await open(context, 'handoff'));
    await waitFor(() => server.stats().openStreams === 1, 10_000, 'one stream');
    const events = server.stats().requests.events;
    const started = Date.now();
    await pages[0]!.close(); // the first tab asked for the lock first: it leads
    await waitFor(() => server.stats().requests.events > events && server.stats().openStreams === 1, 10_000, 'the next leader');
    const handOffMs = Date.now() - started;
    await context.close();
    return { idle, aloneStreams, handOffMs };
  } finally {
    await browser.close();
    await demo.close();
    await server.close();
  }
}

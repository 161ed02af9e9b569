import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AnySyncClient } from 'syncline';
import { startChatDemoServer, type ChatDemoServer } from '../../demo/chatServer';
import { startDemoServer, type DemoServer } from '../../demo/serve';
import { CHROMIUM, CHROMIUM_ARGS } from '../../vite.config';
import { demoUrl, recordMetric, screenshot } from './harness';

// The useChat page (demo/chat.html, docs/ai.md) in real Chromium: the AI SDK's useChat with
// syncline's transport, against the chat server's mock model (a 100-token reply in about 2.5 s)
// through its outage switch (every connection cut and refused for a while). Every user message
// is stored once, every reply completes and is stored once, with no click, and the page shows
// what the server holds. (A reload mid-reply is tested with the AI SDK's Chat in
// test/ai/chatTransport.test.ts too.)

let chat: ChatDemoServer;
let demo: DemoServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The end-to-end tests need Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium`);
  chat = await startChatDemoServer({ port: 0, tokens: 100, tokenMs: 25 });
  demo = await startDemoServer({ port: 0, serverUrl: chat.url, chatUrl: chat.url, hmr: false, logLevel: 'warn' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await chat?.close();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

interface ServerMessage {
  role: string;
  parts: Array<{ type: string; text?: string }>;
  run?: { status: string };
}

const textOf = (m: ServerMessage | undefined) => m?.parts.flatMap((p) => (p.type === 'text' ? [p.text ?? ''] : [])).join('') ?? '';

async function stored(chatId: string): Promise<ServerMessage[]> {
  return ((await chat.thread(chatId)) as { messages: ServerMessage[] } | undefined)?.messages ?? [];
}

async function openChat(chatId: string, context?: BrowserContext): Promise<{ context: BrowserContext; page: Page }> {
  const ctx = context ?? (await browser.newContext({ viewport: { width: 900, height: 760 } }));
  if (!context) contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`[page console] ${m.text()}`));
  await page.goto(demoUrl(`${demo.url}chat.html`, chat.url, { chat: chatId }));
  await page.getByRole('button', { name: 'Send' }).waitFor();
  return { context: ctx, page };
}

async function send(page: Page, text: string) {
  await page.locator('#chat-input').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

async function outage(ms: number) {
  await fetch(`${chat.url}/admin/outage`, { method: 'POST', body: JSON.stringify({ ms }) });
}

/** The texts the page shows, in order. */
const shown = (page: Page) => page.locator('[data-testid="chat-message"] p').allTextContents();

/** Waits until every reply is complete on the server and the page shows exactly what it holds. */
async function settled(page: Page, chatId: string, users: number, timeoutMs = 20_000) {
  let last = '';
  await expect
    .poll(
      async () => {
        const messages = await stored(chatId);
        const done = messages.filter((m) => m.role === 'user').length === users && messages.every((m) => m.role === 'user' || m.run?.status === 'complete');
        const ui = await shown(page);
        const status = await page.locator('main.chat').getAttribute('data-chat-status').catch(() => null);
        const health = await page
          .evaluate((id) => {
            const c = (window as { __synclineClient?: AnySyncClient }).__synclineClient;
            return { badge: document.querySelector('[data-testid="chat-badge"]')?.textContent ?? null, health: c?.getHealthStatus(), v: c?.getThread(id)?.v ?? null };
          }, chatId)
          .catch(() => null);
        last = JSON.stringify({ ui, status, health, server: messages.map(textOf) });
        return done && JSON.stringify(ui) === JSON.stringify(messages.map(textOf));
      },
      { timeout: timeoutMs, interval: 100 },
    )
    .toBe(true)
    .catch((error: Error) => {
      throw new Error(`${error.message}\n${last}`);
    });
  const messages = await stored(chatId);
  expect(messages.map((m) => m.role)).toEqual(Array.from({ length: users }, () => ['user', 'assistant']).flat());
  // Each reply whole and once: the 99 words after its first sentence, in order.
  for (const reply of messages.filter((m) => m.role === 'assistant')) expect(textOf(reply).match(/ word\d+/g)).toEqual(Array.from({ length: 99 }, (_, i) => ` word${i + 1}`));
}

it('an outage while sending: the message waits, then is stored once and answered, without a click', async () => {
  const { page } = await openChat('outage-send');
  const runs = chat.runs();
  await outage(4000);
  await send(page, 'sent in a tunnel');
  await expect.poll(() => page.locator('[data-status="queued"], [data-status="sending"]').count(), { timeout: 5000 }).toBeGreaterThan(0);
  const back = Date.now() + 4000;
  await settled(page, 'outage-send', 1);
  recordMetric('useChat: reply complete on screen after a 4 s outage while sending (ms after it ended)', Date.now() - back, '(information)', true);
  expect(chat.runs() - runs).toBe(1);
  await screenshot(page, 'chat-outage-send');
}, 60_000);

it('a reply cut mid-stream completes by itself, stored once, and the page shows it whole', async () => {
  const { page } = await openChat('cut-reply');
  const runs = chat.runs();
  await send(page, 'a long answer please');
  await expect.poll(async () => textOf((await stored('cut-reply'))[1]).length, { timeout: 10_000 }).toBeGreaterThan(100);
  await outage(1500);
  await settled(page, 'cut-reply', 1);
  expect(chat.runs() - runs).toBe(1);
}, 60_000);

it('sent offline, then online: stored once and answered; another device shows the conversation and adds to it', async () => {
  const { context, page } = await openChat('offline-send');
  await context.setOffline(true);
  await send(page, 'typed on a plane');
  await expect.poll(() => page.locator('[data-status="queued"], [data-status="sending"]').count(), { timeout: 5000 }).toBeGreaterThan(0);
  expect(await stored('offline-send')).toEqual([]);
  await context.setOffline(false);
  await settled(page, 'offline-send', 1);
  const { page: second } = await openChat('offline-send');
  await settled(second, 'offline-send', 1);
  // Each sends in turn: two user messages, two replies, none twice.
  await send(second, 'and one from the second tab');
  await settled(second, 'offline-send', 2);
}, 60_000);

it('a reload mid-reply: the conversation is on screen again and the reply resumes to its end, no part twice', async () => {
  const { page } = await openChat('reload-mid');
  const runs = chat.runs();
  await send(page, 'tell me while I reload');
  await expect.poll(async () => textOf((await stored('reload-mid'))[1]).length, { timeout: 10_000 }).toBeGreaterThan(100);
  await page.reload();
  await page.getByRole('button', { name: 'Send' }).waitFor();
  await settled(page, 'reload-mid', 1);
  expect(chat.runs() - runs).toBe(1);
}, 60_000);

it('two tabs: the second shows the first one\'s message and reply live; closing the first mid-reply, the second finishes it', async () => {
  const { context, page: first } = await openChat('two-tabs');
  const { page: second } = await openChat('two-tabs', context);
  const runs = chat.runs();
  await send(first, 'seen in both tabs');
  await expect.poll(async () => (await shown(second)).length, { timeout: 10_000 }).toBe(2);
  await expect.poll(async () => textOf((await stored('two-tabs'))[1]).length, { timeout: 10_000 }).toBeGreaterThan(100);
  // The first tab (the one holding the connection, if it leads) goes mid-reply.
  await first.close();
  await settled(second, 'two-tabs', 1);
  expect(chat.runs() - runs).toBe(1);
  await send(second, 'and now from the second');
  await settled(second, 'two-tabs', 2);
}, 60_000);

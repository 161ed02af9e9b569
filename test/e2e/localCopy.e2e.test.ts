import type { BrowserContext, Page } from 'playwright-core';
import { demoUrl, pagePending, recordMetric, screenshot, send, serverUserMessages, startRig, until } from './harness';
import type { Rig } from './harness';

// The local copy (docs/local-copy.md) in real Chromium: a reload without a network still shows
// the conversation, honestly marked, and converges once the server is back.
let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(() => rig?.close());

/** The API made unreachable the way a dead network is: every request to the server aborted. */
const cutNetwork = (context: BrowserContext) => context.route(`${rig.server.url}/**`, (route) => route.abort('internetdisconnected'));
const restoreNetwork = (context: BrowserContext) => context.unroute(`${rig.server.url}/**`);

/** What the copy's IndexedDB database of `namespace` holds: each record's key and its user messages. */
const copied = (page: Page, namespace: string) =>
  page.evaluate(async (name) => {
    const dbs = await indexedDB.databases();
    if (!dbs.some((db) => db.name === name)) return [];
    return new Promise<Array<{ key: string; userMessages: number }>>((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('threads')) {
          db.close();
          resolve([]);
          return;
        }
        const store = db.transaction('threads').objectStore('threads');
        const keys = store.getAllKeys();
        const values = store.getAll();
        values.onerror = () => reject(values.error);
        values.onsuccess = () => {
          db.close();
          resolve(
            values.result.map((record: { thread?: { messages?: Array<{ role: string }> } }, i) => ({
              key: String(keys.result[i]),
              userMessages: (record.thread?.messages ?? []).filter((m) => m.role === 'user').length,
            })),
          );
        };
      };
    });
  }, `syncline-copy-${namespace}`);

const copiedKeys = async (page: Page, namespace: string) => (await copied(page, namespace)).map((r) => r.key);
/** How many user messages the copy's record of `threadId` holds (0 without one). */
const copiedUserMessages = async (page: Page, namespace: string, threadId: string) =>
  (await copied(page, namespace)).find((r) => r.key === `t:${threadId}`)?.userMessages ?? 0;

const userTexts = (page: Page) => page.locator('[data-role="user"] .message__content').allTextContents();
const health = (page: Page) => page.evaluate(() => window.__synclineClient!.getHealthStatus().state);

it('a reload without a network shows the 30 synced messages, not as synced; an offline write lands once; the view converges', async () => {
  const { server } = rig;
  const { page, context, threadId } = await rig.open({ ns: 'copy' });
  const badge = page.locator('[data-testid="thread-badge"]');
  const texts = Array.from({ length: 30 }, (_, i) => `synced ${i + 1}`);
  for (const text of texts) await send(page, text);
  await until(() => serverUserMessages(server, threadId).length === 30, 20_000, 'the 30 messages on the server');
  await badge.and(page.locator('[data-state="synced"]')).waitFor({ timeout: 10_000 });
  // The copy is written off the hot path (at most once a second): wait until it holds the thread
  // as synced, all 30 messages (its key alone can be there from an earlier write of fewer).
  await expect.poll(() => copiedUserMessages(page, 'copy', threadId), { timeout: 10_000 }).toBe(30);

  await cutNetwork(context);
  await page.reload();
  await expect.poll(() => userTexts(page), { timeout: 10_000 }).toEqual(texts);
  expect(await badge.getAttribute('data-state')).not.toBe('synced');
  await expect.poll(() => badge.textContent()).toMatch(/Last synced/);
  await expect.poll(() => health(page), { timeout: 10_000 }).toBe('offline');
  await screenshot(page, 'local-copy-offline-reload');

  // A write made offline survives another reload, on top of the copy.
  await send(page, 'written offline');
  await expect.poll(() => pagePending(page)).toBe(1);
  await page.reload();
  await expect.poll(() => userTexts(page), { timeout: 10_000 }).toEqual([...texts, 'written offline']);
  expect(await pagePending(page)).toBe(1);

  // Meanwhile another device wrote to the same thread.
  server.backend.serverWrite(threadId, 'addMessage', {
    message: { id: 'other-device', role: 'user', content: 'from the phone', createdAt: Date.now() },
  });

  await restoreNetwork(context);
  await until(() => serverUserMessages(server, threadId).some((m) => m.content === 'written offline'), 20_000, 'the offline write on the server');
  await expect.poll(() => pagePending(page), { timeout: 10_000 }).toBe(0);
  await badge.and(page.locator('[data-state="synced"]')).waitFor({ timeout: 10_000 });
  const onServer = serverUserMessages(server, threadId).map((m) => m.content);
  expect(onServer.filter((c) => c === 'written offline')).toHaveLength(1);
  await expect.poll(() => userTexts(page), { timeout: 10_000 }).toEqual(onServer);
  expect(onServer).toContain('from the phone');
  await context.close();
});

it('a second namespace in the same browser sees nothing of the first; clearLocalData leaves nothing behind', async () => {
  const { page, context, threadId } = await rig.open({ ns: 'alice' });
  await send(page, 'for alice only');
  await until(() => serverUserMessages(rig.server, threadId).length === 1, 10_000, 'the message on the server');
  await expect.poll(() => copiedKeys(page, 'alice'), { timeout: 10_000 }).toContain(`t:${threadId}`);

  // The same browser profile, another namespace, the API unreachable: nothing of alice's shows.
  await cutNetwork(context);
  await page.goto(`${demoUrl(rig.demo.url, rig.server.url, { ns: 'bob' })}#/t/${encodeURIComponent(threadId)}`);
  await page.locator('[data-testid="thread-badge"]').waitFor();
  expect(await page.evaluate((id) => window.__synclineClient!.getThread(id)?.messages.length ?? 0, threadId)).toBe(0);
  expect(await userTexts(page)).toEqual([]);
  expect(await copiedKeys(page, 'bob')).toEqual([]);

  // Back as alice: the copy is there; sign-out erases it and the outbox.
  await page.goto(`${demoUrl(rig.demo.url, rig.server.url, { ns: 'alice' })}#/t/${encodeURIComponent(threadId)}`);
  await expect.poll(() => userTexts(page), { timeout: 10_000 }).toEqual(['for alice only']);
  await send(page, 'unsent at sign-out');
  await page.evaluate(() => window.__synclineClient!.clearLocalData({ includePending: true }));
  expect(await copiedKeys(page, 'alice')).toEqual([]);
  const outboxKeys = await page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('syncline-outbox-alice');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const keys = db.transaction('outbox').objectStore('outbox').getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve(keys.result.filter((k) => typeof k === 'string' && k.startsWith('w:')).length);
          };
          keys.onerror = () => reject(keys.error);
        };
      }),
  );
  expect(outboxKeys).toBe(0);
  await context.close();
});

it.each([10, 10_000])('figure: an offline reload puts the cached %i-message thread in the store (npm run bench)', async (count) => {
  const threadId = `copy-figure-${count}`;
  for (let i = 0; i < count; i++) {
    rig.server.backend.serverWrite(threadId, 'addMessage', {
      message: { id: `m${i}`, role: i % 2 ? 'assistant' : 'user', content: `message ${i} `.padEnd(100, 'x'), createdAt: i },
    });
  }
  const context = await rig.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${demoUrl(rig.demo.url, rig.server.url, { ns: `figure-${count}` })}#/t/${threadId}`);
  await expect
    .poll(() => page.evaluate((id) => window.__synclineClient!.getThread(id)?.messages.length ?? 0, threadId), { timeout: 30_000 })
    .toBe(count);
  await expect.poll(() => copiedKeys(page, `figure-${count}`), { timeout: 15_000 }).toContain(`t:${threadId}`);

  await cutNetwork(context);
  await page.reload();
  await expect
    .poll(() => page.evaluate((id) => window.__synclineClient!.getThread(id)?.messages.length ?? 0, threadId), { timeout: 15_000 })
    .toBe(count);
  const ms = await page.evaluate((id) => window.__synclineFirstSeen![id]!, threadId);
  recordMetric(`offline reload: cached ${count}-message thread in the store after start()`, `${Math.round(ms)} ms`, '≤ 500 ms', ms <= 500);
  await context.close();
});

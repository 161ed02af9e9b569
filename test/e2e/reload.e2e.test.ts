import type { Page } from 'playwright-core';
import { pagePending, screenshot, send, serverUserMessages, startRig, until } from './harness';
import type { Rig } from './harness';

// Writes made while the server refuses every push survive a reload (IndexedDB outbox) and reach
// the server exactly once when it comes back.
let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ server: { assistant: { autoReply: true, tokens: 3, intervalMs: 20 } } });
});
afterAll(() => rig?.close());

/** The writes in the page's IndexedDB outbox (what a reload starts from). */
const storedWrites = (page: Page, namespace: string) =>
  page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const keys = db.transaction('outbox').objectStore('outbox').getAllKeys();
          keys.onerror = () => reject(keys.error);
          keys.onsuccess = () => {
            resolve(keys.result.filter((k) => typeof k === 'string' && k.startsWith('w:')).length);
            db.close();
          };
        };
      }),
    `syncline-outbox-${namespace}`,
  );

it('reload durability: 20 messages sent while pushes fail survive a reload and land exactly once', async () => {
  const { server } = rig;
  const { page, context, threadId } = await rig.open({ ns: 'reload' });
  const badge = page.locator('[data-testid="thread-badge"]');
  await badge.and(page.locator('[data-state="synced"]')).waitFor();

  server.setFaults({ blockPushes: true });
  // Opt in to the beforeunload guard: leaving now must ask first.
  await page.getByRole('checkbox', { name: /Warn before leaving/ }).check();
  const texts = Array.from({ length: 20 }, (_, i) => `offline ${i + 1}`);
  for (const text of texts) await send(page, text);

  expect(await pagePending(page)).toBe(20);
  await expect.poll(() => storedWrites(page, 'reload'), { timeout: 5000 }).toBe(20);
  await until(() => server.stats().requests.push > 0, 5000, 'a refused push');
  expect(serverUserMessages(server, threadId)).toHaveLength(0);
  await expect.poll(() => badge.getAttribute('data-state')).not.toBe('synced');

  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.type());
    void dialog.accept();
  });
  await page.reload();
  expect(dialogs).toEqual(['beforeunload']);

  // After the reload: the 20 messages are still on screen, still waiting.
  const userMessages = page.locator('[data-role="user"] .message__content');
  await expect.poll(() => userMessages.allTextContents()).toEqual(texts);
  expect(await pagePending(page)).toBe(20);
  expect(serverUserMessages(server, threadId)).toHaveLength(0);

  server.setFaults({});
  await until(() => serverUserMessages(server, threadId).length >= 20, 20_000, 'the 20 messages on the server');
  await expect.poll(() => pagePending(page), { timeout: 10_000 }).toBe(0);
  await badge.and(page.locator('[data-state="synced"]')).waitFor({ timeout: 10_000 });

  const onServer = serverUserMessages(server, threadId);
  expect(onServer.map((m) => m.content)).toEqual(texts);
  expect(new Set(onServer.map((m) => m.id)).size).toBe(20);
  const applied = server.backend.applied.filter((a) => a.threadId === threadId && a.name === 'addMessage' && a.clientId !== '@server');
  expect(applied).toHaveLength(20);
  expect(await userMessages.allTextContents()).toEqual(texts);
  expect(await page.locator('[data-testid="thread-pending"]').getAttribute('data-state')).toBe('empty');

  await screenshot(page, 'reload-durability');
  await context.close();
});

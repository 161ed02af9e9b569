import { screenshot, send, startRig, until } from './harness';
import type { DemoPage, Rig } from './harness';

// The demo's messages carry parts: the user's text as a text part, and the assistant's tool call,
// whose result the server fills in after the message arrived. The page shows it running, then
// the result, with no reload: a server change to a field no built-in knows reaches the view.

let rig: Rig;
let demo: DemoPage;
beforeAll(async () => {
  // 1.5 s between the tool call and its result, so the page shows both states even on a busy machine.
  rig = await startRig({ server: { assistant: { autoReply: true, toolCall: true, tokens: 4, intervalMs: 1500 } } });
  demo = await rig.open({ ns: 'parts' });
  await demo.page.locator('.connection[data-state="live"]').waitFor();
});
afterAll(async () => {
  await demo?.context.close();
  await rig?.close();
});

it('a tool call shows running, then the result the server filled in; text parts render as text', async () => {
  const { page, threadId } = demo;
  await send(page, 'count these four words');

  const user = page.locator('.message[data-role="user"]');
  await user.waitFor();
  expect(await user.locator('.message__content').textContent()).toBe('count these four words');

  const call = page.locator('.message[data-role="assistant"] [data-tool-call]');
  await call.and(page.locator('[data-state="running"]')).waitFor({ timeout: 10_000 });
  expect(await call.textContent()).toContain('word_count({"text":"count these four words"})');
  expect(await call.textContent()).toContain('running…');

  await call.and(page.locator('[data-state="done"]')).waitFor({ timeout: 10_000 });
  expect(await call.locator('.message__tool-result').textContent()).toBe('→ {"words":4}');
  await screenshot(page, 'parts-tool-result');

  // The page's view and the server's thread agree on every part, the result included.
  const server = () => rig.server.backend.thread(threadId);
  await until(() => server()?.messages.at(-1)?.status === 'done', 20_000, 'the reply to finish');
  await page.locator('.message[data-role="assistant"][data-status="done"]').waitFor({ timeout: 10_000 });
  const view = await page.evaluate((id) => window.__synclineClient!.getThread(id), threadId);
  expect(view?.messages).toEqual(server()?.messages);
  expect(view?.messages.map((m) => m.parts)).toEqual([
    [{ type: 'text', text: 'count these four words' }],
    [{ type: 'tool-call', callId: expect.any(String), tool: 'word_count', input: { text: 'count these four words' }, result: { words: 4 } }],
  ]);
});

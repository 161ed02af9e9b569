import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { screenshot, send, serverUserMessages, startRig, until } from './harness';
import type { Rig } from './harness';

// <SyncInspector /> (syncline/devtools) in the demo, in real Chromium: a write through a 503
// shows each attempt, the 503 and the ack; health transitions show their reason; axe-clean.
let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(() => rig?.close());

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

it('shows a write through a 503 (attempts, the 503, the ack) and a health transition with its reason; axe-clean', async () => {
  const { server } = rig;
  const { page, context, threadId } = await rig.open({ ns: 'inspector', inspector: '' });
  await page.locator('[data-testid="thread-badge"][data-state="synced"]').waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Open sync inspector' }).click();
  const panel = page.getByRole('dialog');
  await panel.waitFor();

  server.setFaults({ errorRate: 1, errorStatus: 503 });
  await send(page, 'through the fault');
  const timeline = panel.locator('.syncline-inspector__events').first();
  await expect.poll(() => timeline.textContent(), { timeout: 10_000 }).toMatch(/push failed HTTP 503/);
  await until(() => server.stats().requests.push >= 2, 10_000, 'a retried push');
  server.setFaults({});
  await until(() => serverUserMessages(server, threadId).length === 1, 15_000, 'the message on the server');
  await expect.poll(() => timeline.textContent(), { timeout: 10_000 }).toMatch(/write acknowledged \S+ after [2-9]\d* attempt\(s\)/);
  await expect.poll(() => panel.textContent(), { timeout: 10_000 }).toMatch(/health \w+: server-errors/);
  // The demo counts (metrics: syncMetrics()): the metrics section shows the retried write.
  const metrics = panel.getByRole('region', { name: 'Metrics' });
  await expect.poll(() => metrics.locator('dt:text-is("retried") + dd').textContent(), { timeout: 5_000 }).toBe('1');

  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown): Promise<{ violations: Array<{ id: string; help: string }> }> } }).axe;
    const result = await axe.run({ include: [['.syncline-inspector']] });
    return result.violations.map((v) => `${v.id}: ${v.help}`);
  });
  expect(violations).toEqual([]);
  await screenshot(page, 'inspector-503');

  // Escape inside the inspector closes it and gives focus back to its button.
  await panel.locator('select, button').first().focus();
  await page.keyboard.press('Escape');
  await expect.poll(() => panel.count()).toBe(0);
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Open sync inspector');
  await context.close();
});

import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { createSyncClient, type SyncClient } from 'syncline';
import { SyncInspector } from 'syncline/devtools';
import { syncMetrics } from 'syncline/metrics';
import { createFakeBackend, createFakeClock, createFakeEnvironment, createFakeTabs, type FakeBackend, type FakeClock, type FakeTabs } from 'syncline/testing';
import { freshIndexedDbPerTest, idle } from '../fakeIndexedDb.js';
import { userMessage } from '../helpers.js';

// <SyncInspector /> on a follower tab, and on a page load shown from the local copy while offline
// (docs/devtools.md): the default storage on fake-indexeddb, tabs on the fake tab channel.

freshIndexedDbPerTest();
let clock: FakeClock;
let fake: FakeBackend;
let tabs: FakeTabs;
const clients: SyncClient[] = [];

beforeEach(() => {
  clock = createFakeClock();
  fake = createFakeBackend({ clock });
  tabs = createFakeTabs();
});

afterEach(() => {
  cleanup();
  for (const c of clients.splice(0)) c.dispose();
  fake.close();
});

/** A tab of the page: the default storage (IndexedDB outbox and local copy), counting metrics. */
function tab(): SyncClient {
  const client = createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock, { tab: tabs.page() }), metrics: syncMetrics() });
  clients.push(client);
  client.start();
  client.watch('t1');
  return client;
}

async function run(ms: number) {
  await act(async () => {
    for (let t = 0; t < ms; t += 50) {
      await clock.advanceAsync(50);
      await idle();
    }
  });
}

async function openInspector(client: SyncClient) {
  render(<main><SyncInspector client={client} /></main>);
  fireEvent.click(screen.getByRole('button', { name: 'Open sync inspector' }));
  return screen.findByRole('dialog', { name: 'Sync inspector' });
}

it('on a follower: its role, its write acknowledged through the leader, and no connection of its own', async () => {
  const leader = tab();
  await run(200);
  const follower = tab();
  await run(200);
  const panel = await openInspector(follower);
  const write = follower.mutate('t1', 'addMessage', userMessage('from the follower'));
  await run(1000);
  expect(fake.thread('t1')?.messages).toHaveLength(1);
  expect(follower.getPendingItems().some((w) => w.id === write.id)).toBe(false);
  const health = within(panel).getByRole('region', { name: 'Health' });
  expect(health.textContent).toMatch(/Tab role: follower/);
  expect(panel.textContent).toMatch(/write queued addMessage \S+ \(t1\)/);
  expect(panel.textContent).toMatch(/write acknowledged/);
  // The follower sends nothing itself: no push on its timeline, 0 pushes in its metrics.
  expect(panel.textContent).not.toMatch(/push \d+ write/);
  const metrics = within(panel).getByRole('region', { name: 'Metrics' });
  expect(within(metrics).getByText('pushes').nextElementSibling?.textContent).toBe('0');
  expect(leader.getMetrics().pushes).toBeGreaterThan(0);
});

it('on a page load shown from the local copy while offline: the copy on screen, the write made offline pending with Discard', async () => {
  const first = tab();
  first.mutate('t1', 'addMessage', userMessage('m1'));
  await run(3000); // acknowledged, and the copy written (about once a second)
  expect(fake.thread('t1')?.messages).toHaveLength(1);
  first.dispose();
  await run(100);

  fake.setFaults({ offline: true });
  const reload = tab();
  await act(() => reload.ready);
  const panel = await openInspector(reload);
  expect(reload.getThread('t1')?.messages).toHaveLength(1); // from the copy
  reload.mutate('t1', 'addMessage', userMessage('m2'));
  await run(2000);
  const outbox = within(panel).getByRole('region', { name: 'Outbox' });
  expect(outbox.textContent).toMatch(/addMessage/);
  expect(panel.textContent).toMatch(/push failed/);
  fireEvent.click(within(outbox).getByRole('button', { name: /Discard/ }));
  await run(100);
  expect(reload.getPendingItems()).toEqual([]);
  expect(reload.getThread('t1')?.messages).toHaveLength(1);
});

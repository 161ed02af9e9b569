import { act, render, screen } from '@testing-library/react';
import { createSyncClient } from 'syncline';
import type { SyncClient } from 'syncline';
import { SyncBadge } from 'syncline/components';
import { SyncProvider } from 'syncline/react';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import type { FakeBackend, FakeClock, FakeEnvironment } from 'syncline/testing';
import { COPY_WRITE_MS } from '../../src/client/localCopy.js';
import { createIndexedDbCopyStorage } from '../../src/platform/cacheStorage.js';
import { freshIndexedDbPerTest } from '../fakeIndexedDb.js';
import { userMessage } from '../helpers.js';

// A reload without a network: the badge says how old the copy on screen is, never "Saved",
// until this page load hears from the server (docs/local-copy.md).

freshIndexedDbPerTest();
let clock: FakeClock;
let env: FakeEnvironment;
let fake: FakeBackend;
const clients: SyncClient[] = [];

beforeEach(() => {
  clock = createFakeClock();
  env = createFakeEnvironment(clock);
  fake = createFakeBackend({ clock });
  // The badge's minute timer; fake-indexeddb runs on setImmediate, left real.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(() => {
  vi.useRealTimers();
  for (const c of clients.splice(0)) c.dispose();
  fake.close();
});

const load = () => {
  const client = createSyncClient({ connector: fake.connector, clock, environment: env, tabs: 'alone' });
  clients.push(client);
  return client;
};

/** A first page load that syncs one message into t1 and keeps its copy, then closes. */
async function firstLoad() {
  const client = load();
  client.start();
  await client.ready;
  client.watch('t1');
  client.mutate('t1', 'addMessage', userMessage('m1', 'hello'));
  const flushed = client.flushPending();
  await clock.advanceAsync(500);
  await flushed;
  await vi.waitFor(async () => {
    await clock.advanceAsync(COPY_WRITE_MS);
    expect(await createIndexedDbCopyStorage().load('default')).toHaveLength(1);
  });
  client.dispose();
}

test('a copy shown before the server answered says when it was last synced, minute by minute, then "Saved"', async () => {
  await firstLoad();
  // The laptop sleeps for 5 minutes and wakes without a network.
  fake.setFaults({ offline: true });
  env.setOnline(false);
  await clock.advanceAsync(5 * 60_000);

  const client = load();
  client.watch('t1');
  render(
    <SyncProvider client={client}>
      <SyncBadge threadId="t1" now={clock.now} />
    </SyncProvider>,
  );
  const badge = screen.getByRole('status');
  await vi.waitFor(async () => {
    await act(() => clock.advanceAsync(0));
    expect(client.getThread('t1')?.messages).toHaveLength(1);
  });
  expect(badge.getAttribute('data-state')).toBe('unknown');
  expect(badge.textContent).toBe('Last synced 5 min ago');

  await act(async () => {
    await clock.advanceAsync(60_000);
    vi.advanceTimersByTime(60_000);
  });
  expect(badge.textContent).toBe('Last synced 6 min ago');

  fake.setFaults({});
  await act(async () => {
    env.setOnline(true);
    await clock.advanceAsync(10_000);
  });
  await act(async () => vi.advanceTimersByTime(300));
  expect(client.getSyncStatus('t1').state).toBe('synced');
  expect(badge.getAttribute('data-state')).toBe('synced');
  expect(badge.textContent).toBe('Saved');
});

test('a thread never synced on this device says "Not synced yet", not an age', async () => {
  const client = load();
  render(
    <SyncProvider client={client}>
      <SyncBadge threadId="t9" now={clock.now} />
    </SyncProvider>,
  );
  await act(() => clock.advanceAsync(0));
  expect(screen.getByRole('status').textContent).toBe('Not synced yet');
});

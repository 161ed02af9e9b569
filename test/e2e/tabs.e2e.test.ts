import type { BrowserContext, Page } from 'playwright-core';
import { MutationError, type Thread } from 'syncline';
import { demoUrl, recordMetric, startRig, until } from './harness';
import type { Rig } from './harness';

// Tabs of one browser (pages of ONE context: they share Web Locks, BroadcastChannel, IndexedDB and
// the 6-connections-per-host pool of HTTP/1.1) against the dev server: one leader holds the only
// event stream and sends every tab's writes (docs/tabs.md).

let rig: Rig;
/** Client ids the server saw pulling. */
const pullers = new Set<string>();

beforeAll(async () => {
  rig = await startRig({
    demo: 'preview',
    server: {
      // An edit saying FORBIDDEN is refused by the server (the tabs' own mutator applies it).
      mutators: {
        editMessage(draft: Thread, args: { messageId: string; content: string }) {
          if (args.content.includes('FORBIDDEN')) throw new MutationError('forbidden', 'That edit is not allowed.');
          const message = draft.messages.find((m) => m.id === args.messageId);
          if (!message) throw new MutationError('not-found', `No message ${args.messageId}.`);
          message.content = args.content;
        },
      },
    },
  });
});
afterAll(() => rig?.close());

/** Records, inside the page, every health the client published and any thread shown offline. */
function recordHealth(context: BrowserContext) {
  return context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __healthSeen: string[] }).__healthSeen = seen;
    const attach = () => {
      const client = window.__synclineClient;
      if (!client) return void setTimeout(attach, 5);
      const record = () => {
        const { health, status } = client.store.getState();
        const key = `${health.state}${health.degraded ? '/degraded' : ''}`;
        if (seen.at(-1) !== key) seen.push(key);
        if (Object.values(status).some((s) => s.state === 'offline')) seen.push('thread-offline');
      };
      record();
      client.store.subscribe(record);
    };
    attach();
  });
}

async function openTab(context: BrowserContext, ns: string, threadId: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(`${demoUrl(rig.demo.url, rig.server.url, { ns })}#/t/${encodeURIComponent(threadId)}`);
  await page.locator('[data-testid="thread-badge"]').waitFor();
  return page;
}

/** Makes a write in the page and returns how long the server took to acknowledge it (ms). */
function timedWrite(page: Page, threadId: string, id: string): Promise<number> {
  return page.evaluate(
    async ([threadId, id]) => {
      const started = performance.now();
      const write = window.__synclineClient!.mutate(threadId, 'addMessage', {
        message: { id, role: 'user', content: id, createdAt: Date.now() },
      });
      await write.settled;
      return performance.now() - started;
    },
    [threadId, id] as const,
  );
}

/** Makes writes in the page without waiting for them (in this order). */
function writeMany(page: Page, threadId: string, ids: string[]): Promise<void> {
  return page.evaluate(
    ([threadId, ids]) => {
      for (const id of ids) {
        window.__synclineClient!.mutate(threadId, 'addMessage', { message: { id, role: 'user', content: id, createdAt: Date.now() } });
      }
    },
    [threadId, ids] as const,
  );
}

const pending = (page: Page) => page.evaluate(() => window.__synclineClient!.getPendingItems().length);
const onServer = (threadId: string) => rig.server.backend.thread(threadId)?.messages.map((m) => m.id) ?? [];
/**
 * Each write the server applied on these threads, once: every application is one version and one
 * record (even an addMessage that changes nothing), so a write sent twice under two seqs shows.
 */
const applied = (threadIds: string[]) => {
  const records = rig.server.backend.applied.filter((a) => threadIds.includes(a.threadId) && a.name === 'addMessage');
  return { count: records.length, distinct: new Set(records.map((a) => a.id)).size };
};

/** Waits for a new leader's stream: the server sees `events` requests grow and one stream open. */
async function handOff(eventsBefore: number): Promise<number> {
  const started = Date.now();
  await until(() => rig.server.stats().requests.events > eventsBefore && rig.server.stats().openStreams === 1, 10_000, 'a new leader\'s stream');
  return Date.now() - started;
}

describe('tabs share one connection', () => {
  let context: BrowserContext;
  const pages: Page[] = [];
  const ns = 'tabs8';

  afterAll(() => context?.close());

  it('8 tabs: 1 event stream, 1 client pulling, each tab\'s write acknowledged within 1 s, no tab offline or degraded', async () => {
    context = await rig.browser.newContext();
    await recordHealth(context);
    // Who pulls, as the browser sends it: one client for all eight tabs.
    context.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith('/pull')) pullers.add((JSON.parse(request.postData() ?? '{}') as { clientId: string }).clientId);
    });
    for (let i = 0; i < 8; i++) pages.push(await openTab(context, ns, `tab-${i}`));
    await until(() => rig.server.stats().openStreams === 1, 10_000, 'the leader\'s stream');

    const ackMs: number[] = [];
    for (let i = 0; i < 8; i++) ackMs.push(await timedWrite(pages[i]!, `tab-${i}`, `first-${i}`));
    for (let i = 0; i < 8; i++) expect(onServer(`tab-${i}`)).toEqual([`first-${i}`]);
    const stats = rig.server.stats();
    expect(stats.openStreams).toBe(1);
    expect(pullers.size).toBe(1);
    for (const page of pages) {
      const seen = await page.evaluate(() => (window as unknown as { __healthSeen: string[] }).__healthSeen);
      expect(seen.filter((s) => s.includes('offline') || s.includes('degraded'))).toEqual([]);
      await page.locator('[data-testid="thread-badge"][data-state="synced"]').waitFor({ timeout: 5000 });
    }
    recordMetric('8 tabs: slowest write acknowledged (ms)', Math.round(Math.max(...ackMs)), '≤ 1 000', Math.max(...ackMs) <= 1000);
    recordMetric('8 tabs: event streams open on the server', stats.openStreams, '1', stats.openStreams === 1);
    console.log(`[tabs] acknowledged after ${ackMs.map((ms) => Math.round(ms)).join(', ')} ms`);
    for (const ms of ackMs) expect(ms).toBeLessThanOrEqual(1000);
  });

  it('closing the leader: another tab leads within 2 s; writes made meanwhile land exactly once, in order', async () => {
    const eventsBefore = rig.server.stats().requests.events;
    const leader = pages.shift()!; // the first tab asked for the lock first
    const closed = leader.close();
    const ids = pages.map((_, k) => [0, 1, 2].map((i) => `close-${k}-${i}`));
    await Promise.all(pages.map((page, k) => writeMany(page, `tab-${k + 1}`, ids[k]!)));
    const handOffMs = await handOff(eventsBefore);
    await closed;
    for (const page of pages) await expect.poll(() => pending(page), { timeout: 10_000 }).toBe(0);
    pages.forEach((_, k) => expect(onServer(`tab-${k + 1}`)).toEqual([`first-${k + 1}`, ...ids[k]!]));
    const threads = pages.map((_, k) => `tab-${k + 1}`);
    expect(applied(threads)).toEqual({ count: 7 * 4, distinct: 7 * 4 });
    recordMetric('tabs: new leader after the leader tab closed (ms)', handOffMs, '≤ 2 000', handOffMs <= 2000);
    expect(handOffMs).toBeLessThanOrEqual(2000);
    expect(rig.server.stats().openStreams).toBe(1);
  });

  it('crashing the leader while a push is in flight: 0 writes lost, 0 applied twice', async () => {
    const leader = pages.shift()!; // next in the lock's queue
    const threads = pages.map((_, k) => `tab-${k + 2}`);
    // Pushes take a while: the leader's is in flight when its page dies.
    rig.server.setFaults({ latencyMs: 800 });
    const pushesBefore = rig.server.stats().requests.push;
    const eventsBefore = rig.server.stats().requests.events;
    const ids = pages.map((_, k) => [0, 1, 2, 3].map((i) => `crash-${k}-${i}`));
    const own = ['crash-leader-0', 'crash-leader-1'];
    await writeMany(leader, 'tab-1', own);
    await Promise.all(pages.map((page, k) => writeMany(page, threads[k]!, ids[k]!)));
    await until(() => rig.server.stats().requests.push > pushesBefore, 5000, 'a push in flight');
    const cdp = await leader.context().newCDPSession(leader);
    void cdp.send('Page.crash').catch(() => {});
    rig.server.setFaults({});
    const handOffMs = await handOff(eventsBefore);
    for (const page of pages) await expect.poll(() => pending(page), { timeout: 15_000 }).toBe(0);
    // The crashed tab's writes were in the shared outbox: the new leader sends them too.
    await until(() => own.every((id) => onServer('tab-1').includes(id)), 15_000, 'the crashed tab\'s writes');
    pages.forEach((_, k) => expect(onServer(threads[k]!).slice(-4)).toEqual(ids[k]));
    // Each thread: its first write, the three made at the last hand-off, and these.
    expect(applied(threads)).toEqual({ count: 6 * 8, distinct: 6 * 8 });
    expect(onServer('tab-1').filter((id) => own.includes(id))).toEqual(own);
    expect(applied(['tab-1'])).toEqual({ count: 6, distinct: 6 });
    recordMetric('tabs: new leader after the leader tab crashed (ms)', handOffMs, '≤ 2 000', handOffMs <= 2000);
    expect(handOffMs).toBeLessThanOrEqual(2000);
    await leader.close().catch(() => {});
  });

  it('a follower\'s write refused by the server rolls back in every tab showing the thread; onRollback once', async () => {
    const shown = pages.slice(0, 3); // the leader (first in line) and two followers
    for (const page of shown) await page.evaluate(() => (location.hash = '#/t/refused'));
    await writeMany(shown[0]!, 'refused', ['hello']);
    const content = (page: Page) => page.locator('[data-role="user"] .message__content').allTextContents();
    for (const page of shown) await expect.poll(() => content(page), { timeout: 5000 }).toEqual(['hello']);
    const follower = shown[2]!;
    await follower.evaluate(() => window.__synclineClient!.mutate('refused', 'editMessage', { messageId: 'hello', content: 'FORBIDDEN' }));
    expect(await content(follower)).toEqual(['FORBIDDEN']);
    await follower.locator('[data-testid="thread-badge"][data-state="error"]').waitFor({ timeout: 5000 });
    for (const page of shown) expect(await content(page)).toEqual(['hello']);
    const rollbacks = await Promise.all(pages.map((page) => page.evaluate(() => window.__synclineRollbacks ?? [])));
    expect(rollbacks.map((r) => r.length)).toEqual(pages.map((page) => (page === follower ? 1 : 0)));
    expect(onServer('refused')).toEqual(['hello']);
  });

  it('a follower\'s badge says synced only once the server acknowledged its write', async () => {
    const follower = pages[2]!;
    const badge = follower.locator('[data-testid="thread-badge"]');
    const unsent = () => follower.evaluate(() => window.__synclineClient!.getPendingItems('refused').length);
    // The refused edit of the last test is discarded: the thread is synced again.
    await follower.evaluate(() => {
      const client = window.__synclineClient!;
      for (const w of client.getPendingItems('refused')) client.discard(w.id);
    });
    await badge.and(follower.locator('[data-state="synced"]')).waitFor({ timeout: 5000 });
    const pushes = rig.server.stats().requests.push;
    rig.server.setFaults({ blockPushes: true });
    await writeMany(follower, 'refused', ['held']);
    await until(() => rig.server.stats().requests.push > pushes, 5000, 'a refused push');
    await follower.waitForTimeout(1000);
    expect(await unsent()).toBe(1);
    expect(await badge.getAttribute('data-state')).not.toBe('synced');
    rig.server.setFaults({});
    await badge.and(follower.locator('[data-state="synced"]')).waitFor({ timeout: 10_000 });
    expect(await unsent()).toBe(0);
    expect(onServer('refused')).toEqual(['hello', 'held']);
  });
});

it('200 writes over 4 tabs under chaos: each exactly once, each tab\'s in order', async () => {
  const context = await rig.browser.newContext();
  const pages: Page[] = [];
  for (let i = 0; i < 4; i++) pages.push(await openTab(context, 'tabs-chaos', `chaos-${i}`));
  rig.server.setFaults({ errorRate: 0.2, rateLimitRate: 0.15, retryAfterSeconds: 1, lostAnswerRate: 0.05, duplicateRate: 0.05, seed: 7 });
  const ids = pages.map((_, k) => Array.from({ length: 50 }, (_, i) => `chaos-${k}-${i}`));
  // Interleaved: ten writes from each tab in turn, all in one shared thread and in each tab's own.
  for (let round = 0; round < 5; round++) {
    await Promise.all(pages.map((page, k) => writeMany(page, 'chaos-shared', ids[k]!.slice(round * 10, round * 10 + 10))));
  }
  for (const page of pages) await expect.poll(() => pending(page), { timeout: 90_000, interval: 250 }).toBe(0);
  rig.server.setFaults({});
  const all = onServer('chaos-shared');
  expect(all).toHaveLength(200);
  for (const mine of ids) expect(all.filter((id) => mine.includes(id))).toEqual(mine);
  expect(applied(['chaos-shared'])).toEqual({ count: 200, distinct: 200 });
  await context.close();
});

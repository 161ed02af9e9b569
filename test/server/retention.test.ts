import { afterEach, describe, expect, it } from 'vitest';
import { createHttpConnector, createMemoryStorage, createSyncClient } from 'syncline';
import type { SyncClient } from 'syncline';
import { createMemoryStore, createSyncHandler } from 'syncline/server';
import { createFakeClock } from '../../src/testing/fakeClock.js';
import { serveOnLoopback } from './loopback.js';
import type { Loopback } from './loopback.js';

/*
 * docs/server.md, "Idempotency retention", with the real client on loopback: a write whose answer
 * was lost, re-sent after the server forgot its client, is neither applied twice nor lost
 * silently: it fails visibly with code `expired`, and a person's retry applies it once.
 */

const DAY = 24 * 60 * 60 * 1000;

let client: SyncClient | undefined;
let server: Loopback | undefined;
afterEach(async () => {
  client?.dispose();
  await server?.close();
  client = server = undefined;
});

describe('a client that returns after the idempotency retention', () => {
  it('sees its unanswered write fail with expired, not applied twice; a retry applies it once', async () => {
    const serverClock = createFakeClock({ now: Date.now() });
    const store = createMemoryStore({ clock: serverClock, idempotencyRetentionMs: 7 * DAY });
    const handler = createSyncHandler({ store, onError: () => undefined });
    let lose = true;
    // The first push is applied, then its answer is lost and the client stays away for 9 days.
    server = await serveOnLoopback(async (request) => {
      const response = await handler(request);
      if (lose && new URL(request.url).pathname === '/push') {
        lose = false;
        serverClock.setWallTime(serverClock.now() + 9 * DAY);
        return new Response('down', { status: 503 });
      }
      return response;
    });
    client = createSyncClient({
      connector: createHttpConnector({ baseUrl: server.url }),
      storage: createMemoryStorage(),
      batch: { windowMs: 5 },
      retry: { baseMs: 20, maxMs: 100 },
    });
    client.start();
    await client.ready;
    const write = client.mutate('t', 'addMessage', { message: { id: 'm1', role: 'user', content: 'hello', createdAt: 1 } });
    expect(await client.flushPending({ timeoutMs: 10_000 })).toBe(0); // settled, not acknowledged
    const [failed] = client.getPendingItems('t');
    expect(failed).toMatchObject({ id: write.id, state: 'failed', lastError: { kind: 'rejected', code: 'expired' } });
    expect(failed!.lastError!.message).toMatch(/retry or discard/);
    expect((await store.thread('t'))!.messages).toHaveLength(1);

    client.retry(write.id);
    expect(await client.flushPending({ timeoutMs: 10_000 })).toBe(1);
    expect(client.getPendingItems('t')).toEqual([]);
    const thread = await store.thread('t');
    expect(thread!.messages.map((m) => m.id)).toEqual(['m1']); // addMessage of a held id changes nothing
    expect(thread!.v).toBe(2);
    await handler.close();
  }, 20_000);
});

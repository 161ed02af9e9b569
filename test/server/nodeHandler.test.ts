import { afterEach, describe, expect, it } from 'vitest';
import { createHttpConnector, createMemoryStorage, createSyncClient } from 'syncline';
import type { SyncClient } from 'syncline';
import { createInProcessBus, createMemoryStore, createSyncHandler } from 'syncline/server';
import type { SyncHandler } from 'syncline/server';
import { eventually } from './sseClient.js';
import { serveOnLoopback } from './loopback.js';
import type { Loopback } from './loopback.js';

/* The handler on node:http through toNodeHandler, spoken to by the real HTTP connector and client. */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function instance(options: Parameters<typeof createSyncHandler>[0] = {}): Promise<{ handler: SyncHandler; server: Loopback }> {
  const handler = createSyncHandler({ keepaliveMs: 200, ...options });
  const server = await serveOnLoopback(handler);
  cleanups.push(() => server.close(), () => handler.close());
  return { handler, server };
}

async function client(url: string): Promise<SyncClient> {
  const c = createSyncClient({
    connector: createHttpConnector({ baseUrl: url, timeoutMs: 2000 }),
    storage: createMemoryStorage(),
    batch: { windowMs: 5 },
    retry: { baseMs: 20, maxMs: 200 },
    poll: { activeMs: 100, idleMs: 500 },
  });
  cleanups.push(() => c.dispose());
  c.start();
  await c.ready;
  return c;
}

const message = (id: string) => ({ message: { id, role: 'user' as const, content: id, createdAt: 1 } });

describe('toNodeHandler on loopback with createHttpConnector and createSyncClient', () => {
  it('two clients writing one thread converge live over the event stream', async () => {
    const { handler, server } = await instance();
    const [a, b] = [await client(server.url), await client(server.url)];
    a.watch('shared');
    b.watch('shared');
    await eventually(() => a.getHealthStatus().state === 'live' && b.getHealthStatus().state === 'live', 5000);
    for (let i = 0; i < 40; i++) {
      a.mutate('shared', 'addMessage', message(`a${i}`));
      b.mutate('shared', 'addMessage', message(`b${i}`));
    }
    expect(await a.flushPending()).toBe(40);
    expect(await b.flushPending()).toBe(40);
    await eventually(() => a.getThread('shared')?.v === 80 && b.getThread('shared')?.v === 80, 5000);
    expect(b.getThread('shared')).toEqual(a.getThread('shared'));
    expect(handler.stats().openStreams).toBe(2);
  });

  it('two instances on one store and bus: a write on one reaches a client streaming from the other', async () => {
    const store = createMemoryStore();
    const bus = createInProcessBus();
    const one = await instance({ store, bus });
    const two = await instance({ store, bus });
    const [a, b] = [await client(one.server.url), await client(two.server.url)];
    b.watch('t');
    await eventually(() => b.getHealthStatus().state === 'live', 5000);
    a.mutate('t', 'setTitle', { title: 'from one' });
    await eventually(() => b.getThread('t')?.title === 'from one', 5000);
    expect(two.handler.stats().openStreams).toBe(1);
  });

  it('a client that goes away ends its stream on the server', async () => {
    const { handler, server } = await instance();
    const c = await client(server.url);
    await eventually(() => handler.stats().openStreams === 1, 5000);
    c.dispose();
    await eventually(() => handler.stats().openStreams === 0 && handler.stats().bufferedBytes === 0);
  });

  it('graceful shutdown: close() ends the stream, the client falls back to polling and keeps syncing', async () => {
    const { handler, server } = await instance();
    const c = await client(server.url);
    c.watch('t');
    await eventually(() => c.getHealthStatus().state === 'live', 5000);
    await handler.close();
    await eventually(() => c.getHealthStatus().state !== 'live', 5000);
    expect(handler.stats().openStreams).toBe(0);
    c.mutate('t', 'setTitle', { title: 'still saved' });
    expect(await c.flushPending()).toBe(1);
    const res = await fetch(`${server.url}/events`);
    expect(res.status).toBe(503);
  });

  it('streams a request body larger than one chunk, and answers 413 past the limit without breaking the connection', async () => {
    const { server } = await instance({ maxBodyBytes: 64 * 1024 });
    const mutations = Array.from({ length: 100 }, (_, i) => ({
      seq: i + 1,
      id: `w${i}`,
      threadId: 'big',
      name: 'addMessage',
      args: { message: { id: `m${i}`, role: 'user', content: 'x'.repeat(500), createdAt: 1 } },
      createdAt: 1,
    }));
    const ok = await fetch(`${server.url}/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: 'c', epoch: 1, mutations }) });
    expect(ok.status).toBe(200);
    const big = { clientId: 'c', epoch: 1, mutations: mutations.map((m) => ({ ...m, seq: m.seq + 100 })), pad: 'y'.repeat(100_000) };
    const refused = await fetch(`${server.url}/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(big) });
    expect(refused.status).toBe(413);
  });
});

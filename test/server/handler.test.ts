import { afterEach, describe, expect, it } from 'vitest';
import type { PushRequest, Thread } from 'syncline';
import { createInProcessBus, createSyncHandler } from 'syncline/server';
import type { ServerBus, SyncHandler, SyncHandlerOptions } from 'syncline/server';
import { createFakeClock } from 'syncline/testing';
import type { FakeClock } from 'syncline/testing';
import { frameReader } from './loopback.js';

/*
 * The handler called directly with `new Request(...)`: what a Next.js route handler, Hono, Bun or
 * Deno do. Streams run on a fake clock: keepalives and coalescing without real waiting.
 */

let handler: SyncHandler | undefined;
let clock: FakeClock;
afterEach(async () => {
  await handler?.close();
  handler = undefined;
});

function start(options: SyncHandlerOptions = {}): SyncHandler {
  clock = createFakeClock();
  handler = createSyncHandler({ onError: () => undefined, basePath: '/api/sync', clock, ...options });
  return handler;
}

/** Awaits `promise` while fake time runs, in 10 ms steps (at most 10 s of it). */
async function soon<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let ms = 0; !settled && ms < 10_000; ms += 10) await clock.advanceAsync(10);
  return promise;
}

const BASE = 'https://app.example/api/sync';
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  handler!(new Request(`${BASE}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }));
const get = (path: string, headers: Record<string, string> = {}) => handler!(new Request(`${BASE}${path}`, { headers }));

const add = (seq: number, threadId = 't1', id = `m${seq}`) => ({
  seq,
  id: `w${seq}`,
  threadId,
  name: 'addMessage',
  args: { message: { id, role: 'user', content: id, createdAt: 1 } },
  createdAt: 1,
});
const push = (seqs: number[], epoch = 1, threadId = 't1'): PushRequest => ({ clientId: 'c1', epoch, mutations: seqs.map((s) => add(s, threadId)) });

describe('createSyncHandler: protocol v1 as a Web-standard handler', () => {
  it('answers push, pull and ping under its basePath, with the configured headers', async () => {
    start({ basePath: '/api/sync', headers: { 'access-control-allow-origin': 'https://app.example' } });
    const pushed = await post('/push', push([1, 2]));
    expect(pushed.status).toBe(200);
    expect(pushed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(await pushed.json()).toEqual({ lastSeq: 2, results: [{ seq: 1, status: 'applied', v: 1 }, { seq: 2, status: 'applied', v: 2 }] });
    const pulled = (await (await post('/pull', { clientId: 'c2', threads: { t1: 1, nope: 0 } })).json()) as { cursor: string; threads: Thread[] };
    expect(pulled.cursor).toBe('2');
    expect(pulled.threads.map((t) => [t.id, t.v])).toEqual([['t1', 2]]);
    expect((await get('/ping')).status).toBe(204);
    const preflight = await handler!(new Request(`${BASE}/push`, { method: 'OPTIONS' }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect((await get('/elsewhere/ping')).status).toBe(404);
    expect((await handler!(new Request('https://app.example/ping'))).status).toBe(404);
  });

  it('refuses what is not protocol v1 with a JSON error saying what to do', async () => {
    start({ maxBodyBytes: 1000 });
    const tooBig = await post('/push', { clientId: 'c1', epoch: 1, mutations: [], pad: 'x'.repeat(2000) });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ error: { code: 'too-large' } });
    expect((await post('/push', '{"clientId":')).status).toBe(400);
    const shape = await post('/push', { clientId: 'c1', epoch: 1, mutations: [{ seq: 0 }] });
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { error: { message: string } }).error.message).toContain('mutations[0].seq');
    expect((await post('/pull', { clientId: 'c1', threads: [] })).status).toBe(400);
    expect((await get('/push')).status).toBe(405);
    expect((await get('/push')).headers.get('allow')).toBe('POST');
    const notUtf8 = await handler!(new Request(`${BASE}/push`, { method: 'POST', body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), headers: { 'content-type': 'application/json' } }));
    expect(notUtf8.status).toBe(400);
  });

  it('fences an older epoch with 409 and answers a repeated push with the first results', async () => {
    start();
    expect((await post('/push', push([1], 5))).status).toBe(200);
    const fenced = await post('/push', push([2], 4));
    expect(fenced.status).toBe(409);
    expect(await fenced.json()).toMatchObject({ error: { code: 'fenced' } });
    const again = await post('/push', push([1], 5));
    expect(await again.json()).toEqual({ lastSeq: 1, results: [{ seq: 1, status: 'duplicate', v: 1 }] });
  });

  it('streams thread and delta events with the cursor as id, resumes after Last-Event-ID, and keeps alive every keepaliveMs', async () => {
    start();
    await post('/push', push([1]));
    const res = await get('/events?cursor=0');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = frameReader(res.body!);
    expect(await frames.next()).toBe('retry: 1000');
    expect(await frames.next()).toBe(': ka'); // at once: the client counts the stream live
    const first = (await soon(frames.next()))!;
    expect(first).toMatch(/^id: 1\nevent: thread\ndata: /);
    expect(JSON.parse(first.split('data: ')[1]!)).toMatchObject({ id: 't1', v: 1 });
    expect(await handler!.serverWrite('t1', 'appendDelta', { messageId: 'm1', text: '!' })).toEqual({ status: 'applied', v: 2 });
    expect(await soon(frames.next())).toBe('id: 2\nevent: delta\ndata: {"threadId":"t1","messageId":"m1","v":2,"text":"!"}');
    const quiet = clock.now();
    expect(await soon(frames.next())).toBe(': ka');
    expect(clock.now() - quiet).toBeGreaterThanOrEqual(2900); // 3 s after the stream opened
    await frames.cancel();

    const resumed = frameReader((await get('/events?cursor=0', { 'last-event-id': '1' })).body!);
    expect(await resumed.event()).toMatch(/^retry: /);
    expect(await soon(resumed.event())).toMatch(/^id: 2\nevent: delta/);
    await resumed.cancel();
  });

  it('a stream asks authorize again after authorizeTtlMs: a revoked reader stops getting the thread', async () => {
    let shared = true;
    const asked: string[] = [];
    start({
      authorizeTtlMs: 10_000,
      authorize: (_request, { action, threadId }) => {
        if (action === 'events' && threadId !== null) asked.push(threadId);
        return threadId === null || threadId === 'mine' || (threadId === 'shared' && shared);
      },
    });
    const frames = frameReader((await get('/events')).body!);
    await frames.event();
    await post('/push', push([1], 1, 'shared'));
    expect(await soon(frames.event())).toMatch(/^id: 1\nevent: thread/);
    await post('/push', push([2], 1, 'shared'));
    expect(await soon(frames.event())).toMatch(/^id: 2\nevent: thread/);
    expect(asked).toEqual(['shared']);
    shared = false;
    await clock.advanceAsync(10_000);
    await handler!.serverWrite('shared', 'setTitle', { title: 'not for you any more' });
    await post('/push', push([4], 1, 'mine'));
    // The next event is `mine`'s: `shared` was asked again and refused.
    expect(await soon(frames.event())).toMatch(/^id: 4\nevent: thread\ndata: \{"id":"mine"/);
    expect(asked).toEqual(['shared', 'shared', 'mine']);
    await frames.cancel();
  });

  it('answers a cursor it cannot resume from (too old, unknown, not a number) with reset', async () => {
    start({ replayLimit: 2 });
    await post('/push', push([1, 2, 3, 4]));
    for (const cursor of ['0', '99', 'abc']) {
      const frames = frameReader((await get(`/events?cursor=${cursor}`)).body!);
      await frames.event();
      expect(await soon(frames.event())).toBe('id: 4\nevent: reset\ndata: {}');
      await frames.cancel();
    }
    expect(handler!.stats().openStreams).toBe(0);
  });

  it('close() ends open streams cleanly and refuses new ones with 503', async () => {
    start();
    const frames = frameReader((await get('/events')).body!);
    await frames.next();
    expect(handler!.stats().openStreams).toBe(1);
    await handler!.close();
    expect(await frames.event()).toBeNull();
    expect(handler!.stats().openStreams).toBe(0);
    expect((await get('/events')).status).toBe(503);
  });

  it('while the bus is down streams end and new ones get 503; once back, a resumed stream replays what it missed', async () => {
    const inner = createInProcessBus();
    const statuses: Array<(up: boolean) => void> = [];
    let up = true;
    const bus: ServerBus = {
      publish: (events) => (up ? inner.publish(events) : Promise.reject(new Error('bus down'))),
      subscribe(listener, onStatus) {
        if (onStatus) statuses.push(onStatus);
        return inner.subscribe(listener);
      },
      close: () => inner.close(),
    };
    const setUp = (next: boolean) => {
      up = next;
      for (const s of statuses) s(next);
    };
    const errors: unknown[] = [];
    start({ bus, onError: (e) => errors.push(e) });
    const frames = frameReader((await get('/events')).body!);
    await frames.next();
    await post('/push', push([1]));
    expect(await soon(frames.event())).toMatch(/^id: 1\nevent: thread/);

    setUp(false);
    expect(await frames.event()).toBeNull();
    expect(handler!.stats()).toMatchObject({ openStreams: 0, busUp: false });
    expect((await get('/events')).status).toBe(503);
    // Writes still land in the store; the missed publish is reported, not thrown at the client.
    expect((await post('/push', push([2]))).status).toBe(200);
    await clock.advanceAsync(0);
    expect(errors).toHaveLength(1);

    setUp(true);
    const resumed = frameReader((await get('/events', { 'last-event-id': '1' })).body!);
    await resumed.event();
    expect(await soon(resumed.event())).toMatch(/^id: 2\nevent: thread\ndata: \{"id":"t1","v":2,/);
    await resumed.cancel();
  });

  it('a store failure is a 500 that says nothing of the store, reported to onError', async () => {
    const errors: unknown[] = [];
    const base = createSyncHandler();
    handler = createSyncHandler({
      basePath: '/api/sync',
      onError: (e) => errors.push(e),
      store: {
        push: () => Promise.reject(new Error('connection to db-7.internal refused')),
        pull: () => Promise.reject(new Error('boom')),
        eventsSince: () => Promise.resolve({ reset: true, head: '0' }),
        head: () => Promise.resolve('0'),
        thread: () => Promise.resolve(undefined),
        serverWrite: () => Promise.reject(new Error('boom')),
        close: () => Promise.resolve(),
      },
    });
    await base.close();
    const res = await post('/push', push([1]));
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('db-7');
    expect(errors).toHaveLength(1);
  });
});

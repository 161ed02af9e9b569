import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, createSyncHandler, ServerError } from 'syncline/server';
import type { ServerStore, SyncHandler, SyncHandlerOptions } from 'syncline/server';
import { serveOnLoopback } from './loopback.js';

/*
 * The handler under callers who do not follow the protocol (docs/server.md, "Ids" and
 * "Limits"): every refusal is an answer that names what is wrong, and changes nothing.
 */

let handler: SyncHandler | undefined;
afterEach(async () => {
  await handler?.close();
  handler = undefined;
});

function start(options: SyncHandlerOptions = {}): SyncHandler {
  handler = createSyncHandler({ onError: () => undefined, ...options });
  return handler;
}

const BASE = 'https://app.example';
const JSON_TYPE = { 'content-type': 'application/json' };
const post = (path: string, body: unknown, headers: Record<string, string> = JSON_TYPE) =>
  handler!(new Request(`${BASE}${path}`, { method: 'POST', body: JSON.stringify(body), headers }));
const mutation = (seq: number, threadId: string, over: Record<string, unknown> = {}) => ({
  seq,
  id: `w${seq}`,
  threadId,
  name: 'addMessage',
  args: { message: { id: `m${seq}`, role: 'user', content: 'hi', createdAt: 1 } },
  createdAt: 1,
  ...over,
});
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe('ids: well-formed UTF-16, no U+0000, at most 256 units, on every route', () => {
  const bad: Array<[string, (body: Record<string, unknown>) => void, string]> = [
    ['a lone surrogate in a thread id', (b) => ((b.mutations as object[])[0] = mutation(1, 'A:note-\udca9')), 'mutations[0].threadId'],
    ['U+0000 in a thread id', (b) => ((b.mutations as object[])[0] = mutation(1, 'a\u0000b')), 'mutations[0].threadId'],
    ['a 257-unit thread id', (b) => ((b.mutations as object[])[0] = mutation(1, 't'.repeat(257))), 'mutations[0].threadId'],
    ['an 8 kB mutation id', (b) => ((b.mutations as object[])[0] = mutation(1, 't', { id: 'x'.repeat(8192) })), 'mutations[0].id'],
    ['a lone surrogate in a clientId', (b) => (b.clientId = 'c\ud83d'), 'clientId'],
    [
      'a lone surrogate in a message id',
      (b) => ((b.mutations as object[])[0] = mutation(1, 't', { args: { message: { id: '\ud800', role: 'user', content: '', createdAt: 1 } } })),
      'mutations[0].args.message.id',
    ],
    ['U+0000 in an appendDelta messageId', (b) => ((b.mutations as object[])[0] = mutation(1, 't', { name: 'appendDelta', args: { messageId: '\u0000', text: 'x' } })), 'mutations[0].args.messageId'],
  ];

  it.each(bad)('a push with %s is a 400 naming the field, and nothing is written', async (_, spoil, field) => {
    const store = createMemoryStore();
    start({ store });
    const body: Record<string, unknown> = { clientId: 'c1', epoch: 1, mutations: [mutation(1, 't')] };
    spoil(body);
    const res = await post('/push', body);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('bad-request');
    expect(error.message).toContain(field);
    expect(error.message.length).toBeLessThan(300); // the 8 kB id is not echoed back
    expect(await store.head()).toBe('0');
    await store.close();
  });

  it('keeps a surrogate pair (an emoji) and a 256-unit id', async () => {
    start();
    const res = await post('/push', { clientId: 'c1', epoch: 1, mutations: [mutation(1, 'A:note-😀'), mutation(2, 't'.repeat(256))] });
    expect(res.status).toBe(200);
    const pulled = (await (await post('/pull', { clientId: 'c1', threads: { 'A:note-😀': 0 } })).json()) as { threads: Array<{ id: string }> };
    expect(pulled.threads.map((t) => t.id)).toEqual(['A:note-😀']);
  });

  it('a pull naming a malformed thread id is a 400', async () => {
    start();
    const res = await post('/pull', { clientId: 'c1', threads: { 'a\udca9': 0 } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain('threads');
  });
});

describe('methods and media types', () => {
  it.each(['PUT', 'DELETE', 'PATCH', 'PROPFIND'])('%s answers 405 with Allow on every path', async (method) => {
    start();
    for (const path of ['/push', '/events', '/nowhere']) {
      const res = await handler!(new Request(`${BASE}${path}`, { method }));
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST, OPTIONS');
    }
  });

  it('TRACE through toNodeHandler is a 405, not a 500 (fetch cannot send it; node:http can)', async () => {
    const server = await serveOnLoopback(start());
    const status = await new Promise<[number, string | undefined]>((resolve, reject) => {
      const req = httpRequest(`${server.url}/push`, { method: 'TRACE' }, (res) => {
        res.resume();
        resolve([res.statusCode!, res.headers.allow]);
      });
      req.on('error', reject);
      req.end();
    });
    await server.close();
    expect(status).toEqual([405, 'GET, POST, OPTIONS']);
  });

  it('a POST without content-type: application/json is a 415 (what a cross-site form sends), and nothing is written', async () => {
    const store = createMemoryStore();
    start({ store });
    const body = { clientId: 'c1', epoch: 1, mutations: [mutation(1, 't')] };
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await post('/push', body, { 'content-type': type });
      expect(res.status).toBe(415);
      expect(await errorOf(res)).toMatchObject({ code: 'unsupported-media-type' });
    }
    expect((await post('/push', body, { 'content-type': 'Application/JSON; charset=utf-8' })).status).toBe(200);
    expect(await store.head()).toBe('1');
    await store.close();
  });
});

describe('threads per request', () => {
  it('a push or pull naming more than maxThreadsPerRequest threads is a 413 before authorize is asked per thread', async () => {
    let calls = 0;
    start({
      maxThreadsPerRequest: 50,
      authorize: () => {
        calls++;
        return true;
      },
    });
    const threads = Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`t${i}`, 0]));
    const pulled = await post('/pull', { clientId: 'c1', threads });
    expect(pulled.status).toBe(413);
    expect(await errorOf(pulled)).toMatchObject({ code: 'too-many-threads' });
    expect(calls).toBe(1); // the route check only
    const mutations = Array.from({ length: 51 }, (_, i) => mutation(i + 1, `t${i}`));
    expect((await post('/push', { clientId: 'c1', epoch: 1, mutations })).status).toBe(413);
    expect(calls).toBe(2);
  });

  it('asks authorize once per distinct thread within the bound', async () => {
    let calls = 0;
    start({
      maxThreadsPerRequest: 2,
      authorize: () => {
        calls++;
        return true;
      },
    });
    const mutations = Array.from({ length: 40 }, (_, i) => mutation(i + 1, i % 2 === 0 ? 'a' : 'b'));
    expect((await post('/push', { clientId: 'c1', epoch: 1, mutations })).status).toBe(200);
    expect(calls).toBe(3);
  });
});

describe('streams per principal', () => {
  const user = (name: string) => ({ authorization: `Bearer ${name}` });
  const identify = (request: Request) => request.headers.get('authorization')?.slice('Bearer '.length) ?? null;
  const open = (headers: Record<string, string>) => {
    const abort = new AbortController();
    return { abort, response: handler!(new Request(`${BASE}/events`, { headers, signal: abort.signal })) };
  };

  it('one principal past maxStreamsPerPrincipal gets 429 with Retry-After; another is unaffected; a closed stream frees its slot', async () => {
    start({ identify, maxStreamsPerPrincipal: 3 });
    const mine = [open(user('a')), open(user('a')), open(user('a'))];
    for (const s of mine) expect((await s.response).status).toBe(200);
    const refused: Response[] = [];
    for (let i = 0; i < 1000; i++) refused.push(await open(user('a')).response);
    expect(refused.every((r) => r.status === 429)).toBe(true);
    expect(refused[0]!.headers.get('retry-after')).toBe('5');
    expect(await errorOf(refused[0]!)).toMatchObject({ code: 'too-many-streams' });
    expect(handler!.stats().openStreams).toBe(3);
    const other = open(user('b'));
    expect((await other.response).status).toBe(200);
    mine[0]!.abort.abort();
    await (await mine[0]!.response).body!.cancel().catch(() => undefined);
    await expect.poll(() => handler!.stats().openStreams).toBe(3);
    expect((await open(user('a')).response).status).toBe(200);
  });

  it('all callers together are bounded by maxStreams (callers without a principal included)', async () => {
    start({ maxStreams: 2 });
    expect((await open({}).response).status).toBe(200);
    expect((await open({}).response).status).toBe(200);
    expect((await open({}).response).status).toBe(429);
  });
});

describe('identify', () => {
  it('names the caller to the store on every push', async () => {
    const inner = createMemoryStore();
    const callers: unknown[] = [];
    const store: ServerStore = {
      ...inner,
      push: (request, mutators, caller) => {
        callers.push(caller);
        return inner.push(request, mutators, caller);
      },
    };
    start({ store, identify: (r) => r.headers.get('x-user') });
    await post('/push', { clientId: 'c1', epoch: 1, mutations: [mutation(1, 't')] }, { ...JSON_TYPE, 'x-user': 'alice' });
    await post('/push', { clientId: 'c2', epoch: 1, mutations: [mutation(1, 't')] });
    expect(callers).toEqual([{ principal: 'alice' }, { principal: null }]);
    await inner.close();
  });

  it('an identify that answers something other than a non-empty string or null is a 500 reported to onError', async () => {
    const errors: unknown[] = [];
    start({ identify: () => 42 as unknown as string, onError: (e) => errors.push(e) });
    const res = await post('/push', { clientId: 'c1', epoch: 1, mutations: [] });
    expect(res.status).toBe(500);
    expect(String(errors[0])).toContain('identify');
  });
});

describe('5xx bodies', () => {
  it('a ServerError 5xx from a store says nothing of it in the body; onError gets the detail', async () => {
    const inner = createMemoryStore();
    const errors: unknown[] = [];
    const store: ServerStore = { ...inner, pull: () => Promise.reject(new ServerError(503, 'db-down', 'pool of db-7.internal:5432 exhausted')) };
    start({ store, onError: (e) => errors.push(e) });
    const res = await post('/pull', { clientId: 'c1', threads: { t: 0 } });
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).not.toContain('db-7');
    expect(text).toContain('internal');
    expect(String(errors[0])).toContain('db-7');
    await inner.close();
  });
});

describe('a clientId belongs to the principal that first used it', () => {
  // The refusal is the store's (src/server/semantics/push.ts binds the clientId to
  // `caller.principal` on every store); the handler names the caller with `identify`.
  it('another principal naming that clientId gets 403 and changes nothing (no fencing, no lastSeq, no duplicate replay)', async () => {
    const store = createMemoryStore();
    start({ store, identify: (r) => r.headers.get('x-user') });
    const as = (user: string) => ({ ...JSON_TYPE, 'x-user': user });
    expect((await post('/push', { clientId: 'alice-1', epoch: 1, mutations: [mutation(1, 't')] }, as('alice'))).status).toBe(200);
    const head = await store.head();
    for (const body of [
      { clientId: 'alice-1', epoch: 2 ** 53 - 1, mutations: [] },
      { clientId: 'alice-1', epoch: 1, mutations: [mutation(5, 't')] },
      { clientId: 'alice-1', epoch: 1, mutations: [mutation(1, 't')] },
    ]) {
      const res = await post('/push', body, as('bob'));
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('"v"');
    }
    expect(await store.head()).toBe(head);
    const next = await post('/push', { clientId: 'alice-1', epoch: 1, mutations: [mutation(2, 't')] }, as('alice'));
    expect(await next.json()).toEqual({ lastSeq: 2, results: [{ seq: 2, status: 'applied', v: 2 }] });
    await store.close();
  });
});

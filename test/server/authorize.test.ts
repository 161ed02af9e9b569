import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpConnector, createMemoryStorage, createSyncClient } from 'syncline';
import type { SyncClient } from 'syncline';
import { createSyncHandler } from 'syncline/server';
import type { Authorize, SyncHandler } from 'syncline/server';
import { eventually, openEvents } from './sseClient.js';
import { serveOnLoopback } from './loopback.js';
import type { Loopback } from './loopback.js';

/*
 * Two users on one handler, on loopback: whatever bob (or nobody) sends, he never reads, streams
 * or writes alice's threads. The app's authorize: a bearer token names the user, and a user owns
 * the threads whose id starts with their name.
 */

const TOKENS = new Map([
  ['tok-alice', 'alice'],
  ['tok-bob', 'bob'],
]);
const SECRET = 'ALICE-SECRET';
const calls: Array<{ action: string; threadId: string | null }> = [];

const authorize: Authorize = (request, { action, threadId }) => {
  calls.push({ action, threadId });
  const header = request.headers.get('authorization') ?? '';
  const user = header.startsWith('Bearer ') ? TOKENS.get(header.slice(7)) : undefined;
  if (!user) {
    return new Response(JSON.stringify({ error: { code: 'unauthenticated', message: 'Sign in again.' } }), {
      status: 401,
      headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
    });
  }
  return threadId === null || threadId.startsWith(`${user}/`);
};

let handler: SyncHandler;
let server: Loopback;
let alice: SyncClient;
const ALICE_THREADS = ['alice/secret', 'alice/diary'];

const message = (id: string, content: string) => ({ message: { id, role: 'user' as const, content, createdAt: 1 } });

beforeAll(async () => {
  handler = createSyncHandler({ authorize, keepaliveMs: 30 });
  server = await serveOnLoopback(handler);
  alice = createSyncClient({
    connector: createHttpConnector({ baseUrl: server.url, headers: () => ({ authorization: 'Bearer tok-alice' }) }),
    storage: createMemoryStorage(),
    batch: { windowMs: 5 },
  });
  alice.start();
  await alice.ready;
  for (const id of ALICE_THREADS) alice.mutate(id, 'addMessage', message(`${id}-1`, `${SECRET} of ${id}`));
  expect(await alice.flushPending()).toBe(2);
});

afterAll(async () => {
  alice.dispose();
  await handler.close();
  await server.close();
});

type Credentials = 'none' | 'garbage' | 'other scheme' | 'bob';
const headersFor = (c: Credentials): Record<string, string> =>
  ({
    none: {},
    garbage: { authorization: 'Bearer tok-mallory' },
    'other scheme': { authorization: 'Basic dG9rLWFsaWNlOg==' },
    bob: { authorization: 'Bearer tok-bob' },
  })[c];

const mutation = (seq: number, threadId: string) => ({
  seq,
  id: `forged-${seq}`,
  threadId,
  name: 'addMessage',
  args: { message: { id: `forged-${seq}`, role: 'user', content: 'forged', createdAt: 1 } },
  createdAt: 1,
});

describe('authorize: one user never reads, streams or writes another user\'s thread', () => {
  it('refuses 200 forged requests on every route (401 without valid credentials, 403 for another user\'s thread)', async () => {
    let seq = 0;
    const forged = fc.record({
      route: fc.constantFrom('push', 'pull', 'events'),
      credentials: fc.constantFrom<Credentials>('none', 'garbage', 'other scheme', 'bob'),
      target: fc.constantFrom(...ALICE_THREADS, 'alice/new'),
      withOwn: fc.boolean(),
      cursor: fc.constantFrom(null, '0', '1'),
      malformed: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(forged, async ({ route, credentials, target, withOwn, cursor, malformed }) => {
        const headers = { 'content-type': 'application/json', ...headersFor(credentials) };
        const threads = withOwn ? ['bob/notes', target] : [target];
        let res: Response;
        if (malformed && credentials !== 'bob' && route !== 'events') {
          // Nobody signed in: refused before the body is even read.
          res = await fetch(`${server.url}/${route}`, { method: 'POST', headers, body: '{"clientId":' });
        } else if (route === 'push') {
          const mutations = threads.map((t) => mutation(++seq, t));
          res = await fetch(`${server.url}/push`, { method: 'POST', headers, body: JSON.stringify({ clientId: 'bob-1', epoch: 1, mutations }) });
        } else if (route === 'pull') {
          const known = Object.fromEntries(threads.map((t) => [t, 0]));
          res = await fetch(`${server.url}/pull`, { method: 'POST', headers, body: JSON.stringify({ clientId: 'bob-1', threads: known }) });
        } else {
          // A stream names no thread: bob may open his own, and a replay from an old cursor must
          // hold none of alice's events. Read until the first keepalive: the replay went before it.
          const c = await openEvents(`${server.url}/events${cursor === null ? '' : `?cursor=${cursor}`}`, headersFor(credentials));
          if (credentials === 'bob') {
            expect(c.res.status).toBe(200);
            await c.until((frames) => frames.some((f) => f.comment === 'ka'));
            const text = JSON.stringify(c.frames);
            c.close();
            expect(text).not.toContain(SECRET);
            expect(text).not.toContain('alice/');
            return;
          }
          res = c.res;
          c.close();
        }
        expect(res.status).toBe(credentials === 'bob' ? 403 : 401);
        const body = await res.text().catch(() => '');
        expect(body).not.toContain(SECRET);
        expect(body).not.toContain('forged');
      }),
      { numRuns: 200, seed: 12 },
    );
    // Nothing forged was applied, not even bob's own thread in a mixed push.
    const check = await fetch(`${server.url}/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok-alice' },
      body: JSON.stringify({ clientId: 'alice-check', threads: { 'alice/secret': 0, 'alice/diary': 0, 'alice/new': 0 } }),
    });
    const { threads } = (await check.json()) as { threads: Array<{ id: string; v: number }> };
    expect(threads.map((t) => [t.id, t.v]).sort()).toEqual([['alice/diary', 1], ['alice/secret', 1]]);
    const own = await fetch(`${server.url}/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok-bob' },
      body: JSON.stringify({ clientId: 'bob-check', threads: { 'bob/notes': 0 } }),
    });
    expect(((await own.json()) as { threads: unknown[] }).threads).toEqual([]);
  });

  it('a live stream carries only the caller\'s threads, asking authorize once per thread', async () => {
    const bob = await openEvents(`${server.url}/events`, headersFor('bob'));
    await bob.until((frames) => frames.some((f) => f.comment === 'ka'));
    const before = calls.length;
    for (let i = 2; i < 12; i++) alice.mutate('alice/secret', 'addMessage', message(`alice/secret-${i}`, `${SECRET} ${i}`));
    await alice.flushPending();
    const push = await fetch(`${server.url}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headersFor('bob') },
      body: JSON.stringify({ clientId: 'bob-2', epoch: 1, mutations: [mutation(1, 'bob/notes')] }),
    });
    expect(push.status).toBe(200);
    await bob.until((frames) => frames.some((f) => f.event === 'thread' && f.data!.includes('"bob/notes"')));
    bob.close();
    const text = JSON.stringify(bob.frames);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('alice/');
    const streamCalls = calls.slice(before).filter((c) => c.action === 'events');
    expect(streamCalls.filter((c) => c.threadId === 'alice/secret')).toHaveLength(1);
    await eventually(() => handler.stats().openStreams === 1); // alice's own stream remains
  });

  it("a resume behind alice's megabytes of deltas replays bob's own writes only, without a reset", async () => {
    const pulled = await fetch(`${server.url}/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headersFor('bob') },
      body: JSON.stringify({ clientId: 'bob-resume', threads: {} }),
    });
    const { cursor } = (await pulled.json()) as { cursor: string };
    await handler.serverWrite('alice/diary', 'addMessage', message('alice/diary-reply', ''));
    // 2.4 MB of alice's tokens, over the 1 MiB a stream may hold: a read of them all would reset bob.
    for (let i = 0; i < 300; i++) await handler.serverWrite('alice/diary', 'appendDelta', { messageId: 'alice/diary-reply', text: `${SECRET}${'x'.repeat(8000)}` });
    const push = await fetch(`${server.url}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headersFor('bob') },
      body: JSON.stringify({ clientId: 'bob-resume', epoch: 1, mutations: [mutation(1, 'bob/resumed')] }),
    });
    expect(push.status).toBe(200);
    const bob = await openEvents(`${server.url}/events`, { ...headersFor('bob'), 'last-event-id': cursor });
    await bob.until((frames) => frames.some((f) => f.event === 'thread' && f.data!.includes('"bob/resumed"')));
    bob.close();
    expect(bob.frames.some((f) => f.event === 'reset')).toBe(false);
    const text = JSON.stringify(bob.frames);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('alice/');
  });
});

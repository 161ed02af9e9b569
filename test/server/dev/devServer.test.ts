import { afterEach, describe, expect, it } from 'vitest';
import type { PushRequest, Thread } from 'syncline';
import { createDevServer } from 'syncline/server';
import type { DevServer, DevServerOptions } from 'syncline/server';

let server: DevServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: DevServerOptions = {}): Promise<DevServer> {
  server = await createDevServer(options);
  return server;
}

const add = (seq: number, id = `m${seq}`, threadId = 't1') => ({
  seq,
  id: `w${seq}`,
  threadId,
  name: 'addMessage',
  args: { message: { id, role: 'user', content: id, createdAt: 1 } },
  createdAt: 1,
});
const pushBody = (seqs: number[], epoch = 1): PushRequest => ({ clientId: 'c1', epoch, mutations: seqs.map((s) => add(s)) });

function post(path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(3000),
    ...init,
  });
}

const getJson = async <T>(path: string): Promise<T> => (await fetch(`${server!.url}${path}`)).json() as Promise<T>;

describe('dev server: protocol v1 on loopback', () => {
  it('answers push, pull and ping, with CORS on every answer', async () => {
    await start();
    const pushed = await post('/push', pushBody([1, 2]));
    expect(pushed.status).toBe(200);
    expect(pushed.headers.get('content-type')).toMatch(/^application\/json/);
    expect(pushed.headers.get('access-control-allow-origin')).toBe('*');
    expect(await pushed.json()).toEqual({ lastSeq: 2, results: [{ seq: 1, status: 'applied', v: 1 }, { seq: 2, status: 'applied', v: 2 }] });

    const pulled = await post('/pull', { clientId: 'c2', threads: { t1: 0, t2: 0 } });
    const body = (await pulled.json()) as { cursor: string; threads: Thread[] };
    expect(body.cursor).toBe('2');
    expect(body.threads.map((t) => [t.id, t.v, t.messages.length])).toEqual([['t1', 2, 2]]);

    const ping = await fetch(`${server!.url}/ping`);
    expect(ping.status).toBe(204);
  });

  it('answers a CORS preflight with 204 and the allowed headers', async () => {
    await start();
    const res = await fetch(`${server!.url}/push`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, authorization, last-event-id');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('refuses bodies over 1 MiB (413), invalid JSON or shape (400), an older epoch (409), unknown routes (404)', async () => {
    await start();
    const big = pushBody([1]);
    (big.mutations[0]!.args as { message: { content: string } }).message.content = 'x'.repeat(1_100_000);
    expect((await post('/push', big)).status).toBe(413);
    expect((await post('/push', '{"clientId":')).status).toBe(400);
    const badShape = await post('/push', { clientId: 'c1', epoch: 1, mutations: [{ seq: 'x' }] });
    expect(badShape.status).toBe(400);
    expect(await badShape.json()).toMatchObject({ error: { code: 'bad-request' } });
    expect((await post('/pull', { clientId: 'c1', threads: [] })).status).toBe(400);
    expect((await post('/push', pushBody([1], 5))).status).toBe(200);
    expect((await post('/push', pushBody([2], 4))).status).toBe(409);
    expect((await fetch(`${server!.url}/nope`)).status).toBe(404);
    expect(server!.backend.applied).toHaveLength(1);
  });

  it('serves many pushes over one keep-alive connection quickly', async () => {
    await start();
    const started = performance.now();
    for (let batch = 0; batch < 40; batch++) {
      const seqs = Array.from({ length: 50 }, (_, i) => batch * 50 + i + 1);
      const res = await post('/push', { clientId: 'c1', epoch: 1, mutations: seqs.map((s) => add(s, `m${s}`, `t${s % 5}`)) });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    expect(server!.backend.stats().applied).toBe(2000);
    // A loose bound (the real budget is measured by the bench): only catches pathological slowness.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('dev server: faults on the wire', () => {
  it('offline: the connection is cut on every route, admin routes still answer', async () => {
    await start({ faults: { offline: true } });
    await expect(post('/push', pushBody([1]))).rejects.toThrow(TypeError);
    await expect(fetch(`${server!.url}/ping`)).rejects.toThrow(TypeError);
    await expect(fetch(`${server!.url}/events`)).rejects.toThrow(TypeError);
    expect(await getJson('/admin/faults')).toEqual({ offline: true });
    expect(server!.backend.stats().pushes).toBe(0);
  });

  it('errorRate: errorStatus with a JSON error body; ping is not affected', async () => {
    await start({ faults: { errorRate: 1, errorStatus: 500 } });
    const res = await post('/push', pushBody([1]));
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 'unavailable' } });
    expect((await post('/pull', { clientId: 'c1', threads: {} })).status).toBe(500);
    expect((await fetch(`${server!.url}/ping`)).status).toBe(204);
  });

  it('rateLimitRate: 429 with Retry-After, readable cross-origin', async () => {
    await start({ faults: { rateLimitRate: 1, retryAfterSeconds: 3 } });
    const res = await post('/push', pushBody([1]));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('access-control-expose-headers')).toContain('retry-after');
  });

  it('htmlRate: an HTML page with 200 or 502; nothing applied', async () => {
    await start({ faults: { htmlRate: 1 } });
    const res = await post('/push', pushBody([1]));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<html');
    server!.setFaults({ htmlRate: 1, htmlStatus: 502 });
    expect((await post('/push', pushBody([1]))).status).toBe(502);
    expect(server!.backend.stats().pushes).toBe(0);
  });

  it('blockPushes: every push 503, pulls answered', async () => {
    await start({ faults: { blockPushes: true } });
    expect((await post('/push', pushBody([1]))).status).toBe(503);
    expect((await post('/pull', { clientId: 'c1', threads: {} })).status).toBe(200);
  });

  it('hangRate: no answer at all, only the client timeout ends it; nothing applied', async () => {
    await start({ faults: { hangRate: 1 } });
    const err = await post('/push', pushBody([1]), { signal: AbortSignal.timeout(150) }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    expect(server!.backend.stats().pushes).toBe(0);
  });

  it('latencyMs: answers late', async () => {
    await start({ faults: { latencyMs: 120 } });
    const started = performance.now();
    expect((await fetch(`${server!.url}/ping`)).status).toBe(204);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('lostAnswerRate: the push is applied, then the connection drops', async () => {
    await start({ faults: { lostAnswerRate: 1 } });
    await expect(post('/push', pushBody([1]))).rejects.toThrow(TypeError);
    const thread = await getJson<Thread>('/admin/threads/t1');
    expect(thread.v).toBe(1);
    server!.setFaults({});
    const retry = await post('/push', pushBody([1]));
    expect(await retry.json()).toEqual({ lastSeq: 1, results: [{ seq: 1, status: 'duplicate', v: 1 }] });
  });

  it('duplicateRate: handled twice, applied once, the second answer is sent', async () => {
    await start({ faults: { duplicateRate: 1 } });
    const res = await post('/push', pushBody([1, 2]));
    expect(await res.json()).toEqual({
      lastSeq: 2,
      results: [
        { seq: 1, status: 'duplicate', v: 1 },
        { seq: 2, status: 'duplicate', v: 2 },
      ],
    });
    expect(server!.backend.applied).toHaveLength(2);
    expect(server!.backend.stats().pushes).toBe(2);
  });
});

describe('dev server: admin routes', () => {
  it('reads and replaces faults, rejecting invalid ones', async () => {
    await start({ faults: { latencyMs: 5 } });
    expect(await getJson('/admin/faults')).toEqual({ latencyMs: 5 });
    const set = await post('/admin/faults', { errorRate: 0.5, stream: { stall: true } });
    expect(await set.json()).toEqual({ errorRate: 0.5, stream: { stall: true } });
    expect(server!.faults()).toEqual({ errorRate: 0.5, stream: { stall: true } });
    const bad = await post('/admin/faults', { errorRate: 2 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('errorRate');
    expect((await post('/admin/faults', 'nope')).status).toBe(400);
  });

  it('lists threads, shows one, counts requests, and is never faulted', async () => {
    await start();
    await post('/push', pushBody([1]));
    server!.setFaults({ errorRate: 1, hangRate: 1, offline: true });
    expect((await getJson<Thread[]>('/admin/threads')).map((t) => t.id)).toEqual(['t1']);
    expect(await getJson<Thread>('/admin/threads/t1')).toMatchObject({ id: 't1', v: 1 });
    expect((await fetch(`${server!.url}/admin/threads/zzz`)).status).toBe(404);
    const stats = await getJson<{ requests: Record<string, number>; applied: number; openStreams: number }>('/admin/stats');
    expect(stats).toMatchObject({ requests: { push: 1 }, applied: 1, openStreams: 0 });
  });

  it('POST /admin/reply streams an assistant reply: streaming, tokens, done', async () => {
    await start();
    const res = await post('/admin/reply', { threadId: 'chat', tokens: 4, intervalMs: 5 });
    expect(res.status).toBe(202);
    const { messageId } = (await res.json()) as { messageId: string };
    expect(server!.backend.thread('chat')?.messages[0]).toMatchObject({ id: messageId, role: 'assistant', status: 'streaming' });
    const { eventually } = await import('../sseClient.js');
    await eventually(() => server!.backend.thread('chat')?.messages[0]?.status === 'done');
    const thread = server!.backend.thread('chat')!;
    expect(thread.v).toBe(6); // add, 4 deltas, done
    expect(thread.messages[0]!.content.split(' ')).toHaveLength(4);
    expect((await post('/admin/reply', { tokens: 3 })).status).toBe(400);
  });
});

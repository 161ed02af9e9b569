import { afterEach, describe, expect, it } from 'vitest';
import type { Thread } from 'syncline';
import { createDevServer } from 'syncline/server';
import type { DevServer, DevServerOptions } from 'syncline/server';
import { eventually, openEvents } from './sseClient.js';
import type { EventsConnection, Frame } from './sseClient.js';

let server: DevServer | undefined;
const connections: EventsConnection[] = [];

afterEach(async () => {
  for (const c of connections.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function start(options: DevServerOptions = {}): Promise<DevServer> {
  server = await createDevServer(options);
  return server;
}

async function events(query = '', headers: Record<string, string> = {}): Promise<EventsConnection> {
  const c = await openEvents(`${server!.url}/events${query}`, headers);
  connections.push(c);
  return c;
}

const write = (threadId: string, name: string, args: unknown) => {
  expect(server!.backend.serverWrite(threadId, name, args).status).toBe('applied');
};
const message = (id: string, role = 'user') => ({ message: { id, role, content: id, createdAt: 1 } });
const isEvent = (f: Frame) => f.event !== undefined;
const eventsOf = (frames: Frame[]) => frames.filter(isEvent);

describe('dev server: GET /events', () => {
  it('opens with an event-stream, a retry hint first, then keepalive comments', async () => {
    await start({ keepaliveMs: 40 });
    const c = await events();
    expect(c.res.status).toBe(200);
    expect(c.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(c.res.headers.get('access-control-allow-origin')).toBe('*');
    await c.until((f) => f.filter((x) => x.comment === 'ka').length >= 2);
    expect(c.frames[0]).toEqual({ retry: 1000 });
    expect(server!.stats().openStreams).toBe(1);
  });

  it('protocol v2 (?protocol=2): a patch event per run of versions, holding only what changed; a new thread whole', async () => {
    await start();
    const c = await events('?protocol=2');
    write('t1', 'addMessage', message('m1', 'assistant'));
    await c.until((f) => eventsOf(f).length >= 1);
    write('t1', 'appendDelta', { messageId: 'm1', text: ' more' });
    await c.until((f) => eventsOf(f).length >= 2);
    const [first, second] = eventsOf(c.frames);
    // A thread's first version goes whole: no client holds its version 0.
    expect(first).toMatchObject({ id: '1', event: 'thread' });
    expect(JSON.parse(first!.data!)).toMatchObject({ id: 't1', v: 1, messages: [{ id: 'm1', content: 'm1' }] });
    expect(second).toMatchObject({ id: '2', event: 'patch' });
    expect(JSON.parse(second!.data!)).toEqual({
      threadId: 't1',
      fromV: 1,
      v: 2,
      ops: [{ op: 'append', at: 0, id: 'm1', path: ['content'], text: ' more' }],
    });
  });

  it('a v1 client on this v2 server: its pull gets whole threads, a v2 pull the ops since the version it names', async () => {
    await start();
    write('t1', 'addMessage', message('m1', 'assistant'));
    write('t1', 'setTitle', { title: 'Trip' });
    const pull = async (body: object) => {
      const res = await fetch(`${server!.url}/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as { threads: Thread[]; patches?: unknown[] };
    };
    const v1 = await pull({ clientId: 'c1', threads: { t1: 1 } });
    expect(v1.patches).toBeUndefined();
    expect(v1.threads).toMatchObject([{ id: 't1', v: 2, title: 'Trip' }]);
    const v2 = await pull({ clientId: 'c1', threads: { t1: 1 }, protocol: 2 });
    expect(v2).toMatchObject({ threads: [], patches: [{ threadId: 't1', fromV: 1, v: 2, ops: [{ op: 'thread', key: 'title', value: 'Trip' }] }] });
  });

  it('a v1 client (no ?protocol): thread events (data = Thread) and delta events, with the cursor as id', async () => {
    await start();
    const c = await events();
    write('t1', 'addMessage', message('m1', 'assistant'));
    await c.until((f) => eventsOf(f).length >= 1);
    write('t1', 'appendDelta', { messageId: 'm1', text: ' more' });
    await c.until((f) => eventsOf(f).length >= 2);
    const [thread, delta] = eventsOf(c.frames);
    expect(thread).toMatchObject({ id: '1', event: 'thread' });
    expect(JSON.parse(thread!.data!)).toMatchObject({ id: 't1', v: 1, messages: [{ id: 'm1', content: 'm1' }] });
    expect(delta).toMatchObject({ id: '2', event: 'delta' });
    expect(JSON.parse(delta!.data!)).toEqual({ threadId: 't1', messageId: 'm1', v: 2, text: ' more' });
  });

  it('resumes after Last-Event-ID (which wins over ?cursor=) or ?cursor=', async () => {
    await start();
    for (const t of ['a', 'b', 'c']) write(t, 'setTitle', { title: t });
    const byHeader = await events('?cursor=0', { 'last-event-id': '2' });
    const byQuery = await events('?cursor=1');
    await byHeader.until((f) => eventsOf(f).length >= 1);
    await byQuery.until((f) => eventsOf(f).length >= 2);
    expect(eventsOf(byHeader.frames).map((f) => f.id)).toEqual(['3']);
    expect(eventsOf(byQuery.frames).map((f) => f.id)).toEqual(['2', '3']);
  });

  it('sends reset when the cursor is older than the kept log', async () => {
    await start({ logLimit: 3 });
    for (let i = 0; i < 6; i++) write('t1', 'setTitle', { title: `v${i}` });
    const c = await events('?cursor=1');
    await c.until((f) => eventsOf(f).length >= 1);
    expect(eventsOf(c.frames)[0]).toMatchObject({ event: 'reset', id: '6' });
    write('t1', 'setTitle', { title: 'live' });
    await c.until((f) => eventsOf(f).length >= 2);
    expect(eventsOf(c.frames)[1]).toMatchObject({ event: 'thread', id: '7' });
  });

  it('coalesces a burst into one thread event per thread with the latest snapshot', async () => {
    await start();
    const c = await events('?cursor=0');
    const res = await fetch(`${server!.url}/push`, {
      method: 'POST',
      body: JSON.stringify({
        clientId: 'c1',
        epoch: 1,
        mutations: Array.from({ length: 500 }, (_, i) => ({
          seq: i + 1,
          id: `w${i}`,
          threadId: 'big',
          name: 'addMessage',
          args: message(`m${i}`),
          createdAt: 1,
        })),
      }),
    });
    expect(res.status).toBe(200);
    await c.until((f) => eventsOf(f).some((e) => e.id === '500'));
    const sent = eventsOf(c.frames);
    expect(sent.length).toBeLessThanOrEqual(2);
    const last = JSON.parse(sent[sent.length - 1]!.data!) as Thread;
    expect(last.v).toBe(500);
    expect(last.messages).toHaveLength(500);
  });

  it('stream faults: refuse answers 503; stall sends nothing but the retry hint', async () => {
    await start({ keepaliveMs: 20, faults: { stream: { refuse: true } } });
    const refused = await fetch(`${server!.url}/events`);
    expect(refused.status).toBe(503);
    server!.setFaults({ stream: { stall: true } });
    const c = await events('?cursor=0');
    write('t1', 'setTitle', { title: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(c.frames).toEqual([{ retry: 1000 }]);
    server!.setFaults({});
    await c.until((f) => eventsOf(f).length === 1);
  });

  it('stream faults: dropAfter N sends N events then breaks the connection', async () => {
    await start({ faults: { stream: { dropAfter: 2 } } });
    const c = await events('?cursor=0');
    for (const t of ['a', 'b']) {
      write(t, 'setTitle', { title: t });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    write('c', 'setTitle', { title: 'c' });
    await eventually(() => c.state() !== 'open');
    expect(c.state()).toBe('error');
    expect(eventsOf(c.frames).map((f) => f.id)).toEqual(['1', '2']);
  });

  it('stream faults: duplicated events carry the same id; offline cuts an open stream', async () => {
    await start({ faults: { stream: { duplicateRate: 1 } } });
    const c = await events();
    write('t1', 'setTitle', { title: 'x' });
    await c.until((f) => eventsOf(f).length >= 2);
    expect(eventsOf(c.frames).map((f) => f.id)).toEqual(['1', '1']);
    server!.setFaults({ offline: true });
    await eventually(() => c.state() === 'error');
  });

  it('autoReply: a user message is answered with a streamed assistant reply', async () => {
    // Tokens further apart than a flush go out as deltas.
    await start({ assistant: { autoReply: true, tokens: 3, intervalMs: 80 } });
    const c = await events();
    const res = await fetch(`${server!.url}/push`, {
      method: 'POST',
      body: JSON.stringify({
        clientId: 'c1',
        epoch: 1,
        mutations: [{ seq: 1, id: 'w1', threadId: 'chat', name: 'addMessage', args: message('q1'), createdAt: 1 }],
      }),
    });
    expect(res.status).toBe(200);
    await c.until((f) => eventsOf(f).some((e) => e.event === 'thread' && (JSON.parse(e.data!) as Thread).messages[1]?.status === 'done'));
    const kinds = eventsOf(c.frames).map((e) => e.event);
    expect(kinds).toContain('delta');
    const final = JSON.parse(eventsOf(c.frames).at(-1)!.data!) as Thread;
    expect(final.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(final.v).toBe(6); // question, reply, 3 tokens, done
  });

  it('close() ends open streams and the server', async () => {
    await start();
    const c = await events();
    await server!.close();
    server = undefined;
    await eventually(() => c.state() !== 'open');
  });
});

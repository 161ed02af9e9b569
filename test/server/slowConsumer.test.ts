import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncHandler } from 'syncline/server';
import type { SyncHandler } from 'syncline/server';
import { eventually, openEvents } from './sseClient.js';
import { serveOnLoopback } from './loopback.js';
import type { Loopback } from './loopback.js';

/*
 * A consumer that stops reading its event stream (a stuck tab, a proxy that buffers) must not
 * make the server hold unbounded memory: past maxBufferedBytes its stream drops what it holds,
 * sends `reset` and ends; the client pulls and reconnects.
 */

const MAX = 256 * 1024;
let handler: SyncHandler;
let server: Loopback;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await handler.close();
  await server.close();
});

function rawStream(url: string, path: string): Promise<{ socket: Socket; text: () => string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`);
      // Read the status line, then stop reading: the kernel buffers fill, then the server's.
      socket.once('data', (first: Buffer) => {
        let text = first.toString('utf8');
        socket.pause();
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        resolve({ socket, text: () => text });
      });
    });
    socket.once('error', reject);
    sockets.push(socket);
  });
}

const post = (body: unknown) => fetch(`${server.url}/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('a slow SSE consumer', () => {
  it('holds at most maxBufferedBytes for it, then gets reset and the end of the stream; resuming works', async () => {
    handler = createSyncHandler({ maxBufferedBytes: MAX, keepaliveMs: 1000 });
    server = await serveOnLoopback(handler);
    // A thread of ~200 kB: every version is one large `thread` event.
    const mutations = Array.from({ length: 20 }, (_, i) => ({
      seq: i + 1,
      id: `w${i}`,
      threadId: 'long',
      name: 'addMessage',
      args: { message: { id: `m${i}`, role: 'assistant', content: 'z'.repeat(10_000), createdAt: 1 } },
      createdAt: 1,
    }));
    expect((await post({ clientId: 'writer', epoch: 1, mutations })).status).toBe(200);

    const slow = await rawStream(server.url, '/events');
    const fast = await openEvents(`${server.url}/events`);
    let seq = 20;
    for (let i = 0; i < 400 && handler.stats().resets === 0; i++) {
      const res = await post({ clientId: 'writer', epoch: 1, mutations: [{ ...mutations[0]!, seq: ++seq, id: `t${seq}`, name: 'setTitle', args: { title: `v${seq}` } }] });
      expect(res.status).toBe(200);
      expect(handler.stats().bufferedBytes).toBeLessThanOrEqual(2 * MAX);
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(handler.stats().resets).toBe(1);
    // Never more than the bound for one stream, whatever the kernel buffers took before.
    expect(handler.stats().peakStreamBytes).toBeLessThanOrEqual(MAX);
    const head = String(seq);

    // The reader wakes up: what the kernel held, then `reset` with the newest cursor, then a clean end.
    slow.socket.resume();
    // The chunked terminator: the stream ended, it was not cut.
    await eventually(() => slow.text().endsWith('0\r\n\r\n'), 5000);
    expect(slow.text()).toContain(`id: ${head}\nevent: reset\ndata: {}\n\n`);
    await eventually(() => handler.stats().openStreams === 1);
    expect(handler.stats().bufferedBytes).toBeLessThan(MAX);

    // The fast stream was not held back: it saw the newest version.
    await fast.until((frames) => frames.some((f) => f.id === head));
    fast.close();

    // The client resumes from the reset's id and follows again.
    const resumed = await openEvents(`${server.url}/events`, { 'last-event-id': head });
    await post({ clientId: 'writer', epoch: 1, mutations: [{ ...mutations[0]!, seq: ++seq, id: `t${seq}`, name: 'setTitle', args: { title: 'after' } }] });
    await resumed.until((frames) => frames.some((f) => f.event === 'thread' && f.id === String(seq)));
    expect(resumed.frames.filter((f) => f.event !== undefined).map((f) => f.id)).toEqual([String(seq)]);
    resumed.close();
  });
});

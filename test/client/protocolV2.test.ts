import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createMemoryStorage, createSyncClient, type Thread } from 'syncline';
import { createFakeClock, createFakeEnvironment, seededRandom } from 'syncline/testing';
import { createV2Server } from './v2Server.js';

const message = (id: string, content = '') => ({ message: { id, role: 'assistant' as const, content, createdAt: 1 } });
const empty = (): Thread => ({ id: 't1', v: 0, messages: [], createdAt: 1 });

async function setup(initial = empty(), options: { v1?: boolean } = {}) {
  const clock = createFakeClock();
  const environment = createFakeEnvironment(clock);
  const server = createV2Server(initial, options);
  const client = createSyncClient({ connector: server.connector, clock, environment, storage: createMemoryStorage() });
  client.start();
  await client.ready;
  client.watch('t1');
  await clock.advanceAsync(100);
  const frames = () => clock.advanceAsync(50);
  return { clock, server, client, frames };
}

describe('protocol v2 in the client', () => {
  it('applies patch events, several in one frame as one commit, and sends protocol: 2 in pulls', async () => {
    const { server, client, frames } = await setup();
    server.write('addMessage', message('m1'));
    await client.syncImmediately('t1');
    expect(server.pulls.at(-1)).toMatchObject({ protocol: 2, threads: { t1: 0 } });
    expect(client.getThread('t1')).toEqual(server.thread());
    let notified = 0;
    const unsubscribe = client.store.subscribe(() => notified++);
    for (const text of ['Hel', 'lo', '!']) server.emit({ type: 'patch', patch: server.write('appendDelta', { messageId: 'm1', text })! });
    await frames();
    unsubscribe();
    expect(client.getThread('t1')).toEqual(server.thread());
    expect(client.getThread('t1')!.messages[0]!.content).toBe('Hello!');
    expect(notified).toBe(1);
  });

  it('a patch that skips a version pulls the thread naming the version held, and gets the ops since', async () => {
    const { server, client, frames } = await setup();
    server.write('addMessage', message('m1'));
    await client.syncImmediately('t1');
    server.write('appendDelta', { messageId: 'm1', text: 'lost' }); // never sent
    server.emit({ type: 'patch', patch: server.write('appendDelta', { messageId: 'm1', text: '!' })! });
    const before = server.pulls.length;
    await frames();
    expect(server.pulls.slice(before)).toEqual([expect.objectContaining({ threads: { t1: 1 }, protocol: 2 })]);
    expect(client.getThread('t1')).toEqual(server.thread());
  });

  it('a copy the ops from its version do not fit (a message it holds inserted again) is pulled whole, not patched', async () => {
    const { server, client, frames } = await setup();
    server.write('addMessage', message('m1'));
    await client.syncImmediately('t1');
    server.write('setTitle', { title: 'T' });
    server.write('addMessage', message('m2'));
    // A proxy relabels the v3 thread as v2: the copy held at "v2" already has m2.
    const honest = server.connector.pull;
    server.connector.pull = () => Promise.resolve({ cursor: '0', threads: [{ ...server.thread(), v: 2 }] });
    await client.syncImmediately('t1');
    server.connector.pull = honest;
    server.write('appendDelta', { messageId: 'm2', text: '!' });
    const before = server.pulls.length;
    await client.syncImmediately('t1'); // ops 2 → 4 insert m2 again: not applied
    await frames();
    expect(server.pulls.slice(before).map((p) => p.threads)).toEqual([{ t1: 2 }, { t1: 0 }]);
    expect(client.getThread('t1')).toEqual(server.thread());
    expect(client.getThread('t1')!.messages.map((m) => m.content)).toEqual(['', '!']);
  });

  it('understands a v1 server: delta events and whole threads in pulls', async () => {
    const { server, client, frames } = await setup(empty(), { v1: true });
    server.write('addMessage', message('m1'));
    server.emit({ type: 'thread', thread: server.thread() });
    await frames();
    server.write('appendDelta', { messageId: 'm1', text: 'a' });
    server.emit({ type: 'delta', threadId: 't1', messageId: 'm1', v: 2, text: 'a' });
    server.write('appendDelta', { messageId: 'm1', text: 'b' }); // its delta is lost: a pull repairs it
    server.write('appendDelta', { messageId: 'm1', text: 'c' });
    server.emit({ type: 'delta', threadId: 't1', messageId: 'm1', v: 4, text: 'c' });
    await frames();
    expect(client.getThread('t1')).toEqual(server.thread());
    expect(client.getThread('t1')!.messages[0]!.content).toBe('abc');
  });

  it('a token op on a 10 000-message thread replaces one message; the others keep their identity', async () => {
    const initial: Thread = {
      ...empty(),
      v: 1,
      messages: Array.from({ length: 10_000 }, (_, i) => ({ id: `m${i}`, role: 'user' as const, content: 'x'.repeat(200), createdAt: 1 })),
    };
    const { server, client, frames } = await setup(initial);
    await client.syncImmediately('t1');
    const before = client.getThread('t1')!;
    expect(before.messages).toHaveLength(10_000);
    server.emit({ type: 'patch', patch: server.write('appendDelta', { messageId: 'm9999', text: 'tok' })! });
    await frames();
    const after = client.getThread('t1')!;
    expect(after.messages[9999]!.content.endsWith('tok')).toBe(true);
    let same = 0;
    for (let i = 0; i < 10_000; i++) if (after.messages[i] === before.messages[i]) same++;
    expect(same).toBe(9_999);
  });

  it('converges to the server thread whatever mix of patches, repeats, losses, snapshots and resets it gets', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 5, max: 40 }), async (seed, writes) => {
        const random = seededRandom(seed);
        const { server, client, frames } = await setup();
        const ids = ['m1', 'm2', 'm3'];
        const late: Parameters<typeof server.emit>[0][] = [];
        for (let i = 0; i < writes; i++) {
          const id = ids[Math.floor(random() * 3)]!;
          const r = random();
          const patch =
            r < 0.3
              ? server.write('addMessage', message(id, `<${i}>`))
              : r < 0.8
                ? server.write('appendDelta', { messageId: id, text: `${i} ` })
                : r < 0.9
                  ? server.write('deleteMessage', { messageId: id })
                  : server.write('setTitle', { title: `t${i}` });
          if (!patch) continue;
          const fate = random();
          if (fate < 0.55) server.emit({ type: 'patch', patch });
          else if (fate < 0.65) {
            server.emit({ type: 'patch', patch });
            server.emit({ type: 'patch', patch }); // repeated
          } else if (fate < 0.8) late.push({ type: 'patch', patch }); // out of order, later
          else if (fate < 0.88) server.emit({ type: 'thread', thread: server.thread() });
          else if (fate < 0.93) server.emit({ type: 'reset' });
          // else: lost
          if (random() < 0.3) {
            for (const event of late.splice(0)) server.emit(event);
            await frames();
          }
        }
        for (const event of late.splice(0)) server.emit(event);
        await frames();
        // The stream always goes on: the next version shows the client what it missed.
        server.emit({ type: 'patch', patch: server.write('setTitle', { title: 'end' })! });
        await frames();
        await frames();
        expect(client.getThread('t1')).toEqual(server.thread());
        client.dispose();
      }),
      { numRuns: 40 },
    );
  });
});

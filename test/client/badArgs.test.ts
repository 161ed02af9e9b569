import { SyncError, createMemoryStorage, createSyncClient, type Message, type StoredWrite } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import { rig, userMessage } from '../helpers.js';

class Point {
  constructor(readonly x = 1) {}
}

describe('mutate refuses args the wire cannot carry', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const cases: Array<[string, unknown, string]> = [
    ['a BigInt', { n: 1n }, 'args.message.meta.n'],
    ['a cycle', cyclic, 'args.message.meta.self'],
    ['a function', { f: () => 1 }, 'args.message.meta.f'],
    ['a symbol', { s: Symbol('x') }, 'args.message.meta.s'],
    ['a Map', { m: new Map() }, 'args.message.meta.m'],
    ['a Set', { s: new Set([1]) }, 'args.message.meta.s'],
    ['a Date', { d: new Date(0) }, 'args.message.meta.d'],
    ['a typed array', { t: new Uint8Array(2) }, 'args.message.meta.t'],
    ['a class instance', { p: new Point() }, 'args.message.meta.p'],
    ['NaN', { n: Number.NaN }, 'args.message.meta.n'],
    ['Infinity', { list: [1, Infinity] }, 'args.message.meta.list[1]'],
  ];

  it.each(cases)('refuses %s at once, naming the path; nothing is queued or stored', async (_name, meta, path) => {
    const { client, storage } = await rig();
    const args = { message: { ...userMessage('m1').message, meta } };
    let caught: unknown;
    try {
      client.mutate('t1', 'addMessage', args);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SyncError);
    expect(caught).toMatchObject({ kind: 'rejected', code: 'invalid-args', retryable: false });
    expect((caught as Error).message).toContain(path);
    expect(client.getPendingItems()).toEqual([]);
    expect(client.getThread('t1')).toBeUndefined();
    expect(await storage.loadWrites('default')).toEqual([]);
  });

  it('accepts plain data, including objects without a prototype and a key named __proto__', async () => {
    // Messages of a model with fields of its own.
    const { client, clock, fake } = await rig<Message & Record<string, unknown>>();
    const meta = Object.assign(Object.create(null) as Record<string, unknown>, { n: 1, list: [true, null, 'x'] });
    Object.defineProperty(meta, '__proto__', { value: { deep: 1 }, enumerable: true });
    client.mutate('t1', 'addMessage', { message: { ...userMessage('m1').message, meta, skip: undefined } });
    const flushed = client.flushPending();
    await clock.advanceAsync(200);
    expect(await flushed).toBe(1);
    expect(fake.thread('t1')?.messages).toHaveLength(1);
  });
});

describe('a write the wire cannot carry, stored by an older version', () => {
  it('fails alone on load; the writes behind it are sent', async () => {
    const clock = createFakeClock();
    const fake = createFakeBackend({ clock });
    const storage = createMemoryStorage();
    const stored = (seq: number, args: unknown): StoredWrite => ({
      id: `w${seq}`,
      clientId: 'old-client',
      seq,
      threadId: 't1',
      name: 'addMessage',
      args,
      createdAt: 1,
      attempts: 0,
      state: 'queued',
      lastError: null,
    });
    await storage.putWrites('default', [
      stored(1, { message: { ...userMessage('bad').message, meta: { n: 1n } } }),
      stored(2, userMessage('good')),
    ]);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const client = createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock), storage });
      client.start();
      await client.ready;
      const flushed = client.flushPending();
      await clock.advanceAsync(500);
      expect(await flushed).toBe(1);
      expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['good']);
      const [bad] = client.getPendingItems();
      expect(bad).toMatchObject({ id: 'w1', state: 'failed', lastError: { kind: 'rejected', code: 'invalid-args' } });
      client.mutate('t1', 'addMessage', userMessage('later'));
      await clock.advanceAsync(500);
      expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['good', 'later']);
      client.discard('w1');
      expect(client.getPendingItems()).toEqual([]);
      client.dispose();
    } finally {
      await new Promise((resolve) => setTimeout(resolve, 0));
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('a callback that throws inside the send path', () => {
  it('leaves no unhandled rejection and does not stop the outbox', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { client, clock, fake } = await rig({
        onRollback: () => {
          throw new Error('the app\'s onRollback broke');
        },
      });
      client.mutate('t1', 'editMessage', { messageId: 'missing', content: 'x' });
      await clock.advanceAsync(500);
      expect(client.getPendingItems()[0]).toMatchObject({ state: 'failed', lastError: { code: 'not-found' } });
      client.mutate('t1', 'addMessage', userMessage('after'));
      await clock.advanceAsync(60_000);
      expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['after']);
      client.dispose();
    } finally {
      await new Promise((resolve) => setTimeout(resolve, 0));
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

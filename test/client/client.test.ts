import { OutboxFullError, SyncError, createMemoryStorage, createSyncClient, type PendingWrite } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import { errorFromStatus } from '../../src/transport/httpErrors.js';
import { rig, userMessage } from '../helpers.js';

describe('createSyncClient: the optimistic write path', () => {
  it('shows a write at once, reports it pending, then synced once the server has it', async () => {
    const { client, fake, clock } = await rig();
    client.watch('t1');
    const write = client.mutate('t1', 'addMessage', userMessage('m1', 'hello'));
    expect(write.state).toBe('queued');
    expect(client.getThread('t1')?.messages.map((m) => m.content)).toEqual(['hello']);
    expect(client.getSyncStatus('t1')).toMatchObject({ state: 'pending', pendingCount: 1 });
    const flushed = client.flushPending();
    await clock.advanceAsync(200);
    expect(await flushed).toBe(1);
    await clock.advanceAsync(100);
    expect(client.getSyncStatus('t1')).toMatchObject({ state: 'synced', pendingCount: 0 });
    expect(client.getThread('t1')).toEqual(fake.thread('t1'));
  });

  it('keeps an acknowledged write in view until the confirmed thread shows it', async () => {
    const { client, clock } = await rig();
    client.mutate('t1', 'addMessage', userMessage('m1'));
    const flushed = client.flushPending();
    await clock.advanceAsync(150);
    await flushed;
    expect(client.getThread('t1')?.messages.map((m) => m.id)).toEqual(['m1']);
    expect(client.getPendingItems('t1')).toEqual([]);
  });

  it('does not freeze or share the caller\'s args object', async () => {
    const { client } = await rig();
    const args = userMessage('m1', 'draft');
    client.mutate('t1', 'addMessage', args);
    args.message.content = 'changed later';
    expect(Object.isFrozen(args.message)).toBe(false);
    expect(client.getThread('t1')?.messages[0]?.content).toBe('draft');
  });
});

describe('rollback of a refused write', () => {
  it('rolls back only the refused write, lists it as failed, and retry/discard work', async () => {
    const rollbacks: Array<[PendingWrite, SyncError]> = [];
    const { client, clock, fake } = await rig({ onRollback: (w, e) => rollbacks.push([w, e]) });
    client.watch('t1');
    client.mutate('t1', 'addMessage', userMessage('m1', 'kept'));
    const bad = client.mutate('t1', 'editMessage', { messageId: 'nope', content: 'x' });
    client.mutate('t1', 'addMessage', userMessage('m2', 'also kept'));
    const flushed = client.flushPending();
    await clock.advanceAsync(300);
    expect(await flushed).toBe(2);

    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]![0].id).toBe(bad.id);
    expect(rollbacks[0]![1]).toMatchObject({ kind: 'rejected', code: 'not-found', retryable: false });
    const [failed] = client.getPendingItems('t1');
    expect(failed).toMatchObject({ id: bad.id, state: 'failed', lastError: { kind: 'rejected' } });
    await expect(failed!.settled).rejects.toBeInstanceOf(SyncError);
    expect(client.getSyncStatus('t1')).toMatchObject({ state: 'error', failedCount: 1, pendingCount: 0 });
    expect(client.getThread('t1')?.messages.map((m) => m.content)).toEqual(['kept', 'also kept']);

    client.retry(bad.id);
    expect(client.getPendingItems('t1')[0]).toMatchObject({ state: 'queued' });
    await clock.advanceAsync(300);
    expect(client.getPendingItems('t1')[0]).toMatchObject({ state: 'failed' });
    expect(rollbacks).toHaveLength(2);

    client.discard(bad.id);
    await clock.advanceAsync(100);
    expect(client.getPendingItems('t1')).toEqual([]);
    expect(client.getSyncStatus('t1').state).toBe('synced');
    expect(fake.thread('t1')?.messages.map((m) => m.content)).toEqual(['kept', 'also kept']);
  });

  it('fails a whole batch answered 400, visibly, and sends the next writes', async () => {
    const clock = createFakeClock();
    const fake = createFakeBackend({ clock });
    let refuse = true;
    const connector = {
      ...fake.connector,
      push: (req: Parameters<typeof fake.connector.push>[0], opts?: Parameters<typeof fake.connector.push>[1]) => {
        if (refuse) {
          refuse = false;
          return Promise.reject(errorFromStatus(400, 'POST /push', { now: clock.now() }));
        }
        return fake.connector.push(req, opts);
      },
    };
    const rollbacks: string[] = [];
    const client = createSyncClient({
      connector, clock, environment: createFakeEnvironment(clock), storage: createMemoryStorage(),
      onRollback: (w) => rollbacks.push(w.id),
    });
    client.start();
    await client.ready;
    const a = client.mutate('t1', 'addMessage', userMessage('a'));
    const b = client.mutate('t1', 'addMessage', userMessage('b'));
    await clock.advanceAsync(150);
    expect(rollbacks).toEqual([a.id, b.id]);
    expect(client.getPendingItems().map((w) => [w.id, w.state, w.lastError?.kind, w.lastError?.status]))
      .toEqual([[a.id, 'failed', 'protocol', 400], [b.id, 'failed', 'protocol', 400]]);
    expect(client.getThread('t1')).toBeUndefined();
    const c = client.mutate('t1', 'addMessage', userMessage('c'));
    await clock.advanceAsync(150);
    expect(client.getPendingItems().map((w) => w.id)).toEqual([a.id, b.id]);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['c']);
    expect(c.id).toBeTruthy();
    client.dispose();
  });
});

describe('bad input is refused with a typed SyncError and changes nothing', () => {
  it.each([
    ['an unknown mutation', () => ['t1', 'launchRockets', {}], 'unknown-mutator'],
    ['malformed args', () => ['t1', 'addMessage', { message: { id: 'x' } }], 'invalid-args'],
    ['args that are not plain data', () => ['t1', 'setTitle', { title: 'x', fn: () => 1 }], 'invalid-args'],
    ['an empty thread id', () => ['', 'setTitle', { title: 'x' }], 'invalid-args'],
  ])('%s', async (_label, input, code) => {
    const { client, clock } = await rig();
    client.mutate('t0', 'setTitle', { title: 'before' });
    // Commits are deferred to the end of the task: let this one land, or the comparison below
    // would read the same state twice and could not fail.
    await clock.advanceAsync(0);
    const before = client.store.getState();
    expect(before.threads.t0?.title).toBe('before');
    const [threadId, name, args] = input() as [string, string, unknown];
    let caught: unknown;
    try {
      // Bad input on purpose: the names and args the types would refuse, reaching the run-time checks.
      client.mutate(threadId, name as 'setTitle', args as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SyncError);
    expect(caught).toMatchObject({ kind: 'rejected', code, retryable: false });
    await clock.advanceAsync(0); // any commit the refused write scheduled has run by now
    expect(client.store.getState()).toBe(before);
    expect(client.getPendingItems()).toHaveLength(1);
  });
});

describe('the outbox', () => {
  it('sends a burst of N writes in ceil(N / maxItems) pushes', async () => {
    const { client, clock, fake } = await rig({ batch: { maxItems: 50 } });
    for (let i = 0; i < 1000; i++) client.mutate(`t${i % 7}`, 'addMessage', userMessage(`m${i}`));
    const flushed = client.flushPending();
    await clock.advanceAsync(1000);
    expect(await flushed).toBe(1000);
    expect(fake.stats().requests.push).toBe(20);
    expect(fake.backend.stats().applied).toBe(1000);
  });

  it('refuses writes past maxPending with OutboxFullError and drops none', async () => {
    const { client, clock, fake } = await rig({ maxPending: 3 }, { faults: { blockPushes: true } });
    for (let i = 0; i < 3; i++) client.mutate('t1', 'addMessage', userMessage(`m${i}`));
    expect(() => client.mutate('t1', 'addMessage', userMessage('m3'))).toThrow(OutboxFullError);
    expect(client.getPendingItems()).toHaveLength(3);
    expect(client.getThread('t1')?.messages).toHaveLength(3);
    fake.setFaults({});
    await clock.advanceAsync(60_000);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['m0', 'm1', 'm2']);
    expect(() => client.mutate('t1', 'addMessage', userMessage('m3'))).not.toThrow();
  });

  it('coalesces appendDelta texts and setTitle writes inside one window', async () => {
    const { client, clock, fake } = await rig();
    client.mutate('t1', 'addMessage', { message: { id: 'a', role: 'assistant', content: '', createdAt: 1 } });
    await clock.advanceAsync(200);
    for (const token of ['Hel', 'lo', ', ', 'world']) client.mutate('t1', 'appendDelta', { messageId: 'a', text: token });
    for (const title of ['one', 'two', 'three']) client.mutate('t1', 'setTitle', { title });
    expect(client.getPendingItems('t1')).toHaveLength(2);
    expect(client.getThread('t1')).toMatchObject({ title: 'three', messages: [{ content: 'Hello, world' }] });
    await clock.advanceAsync(200);
    expect(fake.backend.stats().applied).toBe(3);
    expect(fake.thread('t1')).toMatchObject({ title: 'three', messages: [{ content: 'Hello, world' }] });
  });

  it('retries retryable failures until they succeed, honouring Retry-After', async () => {
    const { client, clock, fake } = await rig({}, { faults: { rateLimitRate: 1, retryAfterSeconds: 20 } });
    client.mutate('t1', 'addMessage', userMessage('m1'));
    await clock.advanceAsync(150);
    const pushesBefore = fake.stats().requests.push;
    await clock.advanceAsync(15_000);
    expect(fake.stats().requests.push).toBe(pushesBefore); // waited for Retry-After
    fake.setFaults({});
    await clock.advanceAsync(10_000);
    expect(client.getPendingItems()).toEqual([]);
    expect(fake.thread('t1')?.messages).toHaveLength(1);
  });

  it('splits a batch answered 413 in halves', async () => {
    const clock = createFakeClock();
    const fake = createFakeBackend({ clock });
    const sizes: number[] = [];
    const connector = {
      ...fake.connector,
      push: (req: Parameters<typeof fake.connector.push>[0], opts?: Parameters<typeof fake.connector.push>[1]) => {
        sizes.push(req.mutations.length);
        if (req.mutations.length > 2) return Promise.reject(errorFromStatus(413, 'POST /push', { now: clock.now() }));
        return fake.connector.push(req, opts);
      },
    };
    const client = createSyncClient({ connector, clock, environment: createFakeEnvironment(clock), storage: createMemoryStorage() });
    client.start();
    await client.ready;
    for (let i = 0; i < 8; i++) client.mutate('t1', 'addMessage', userMessage(`m${i}`));
    const flushed = client.flushPending();
    await clock.advanceAsync(500);
    expect(await flushed).toBe(8);
    expect(sizes.slice(0, 3)).toEqual([8, 4, 2]);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    client.dispose();
  });

  it('rejects flushPending with a timeout SyncError and keeps the writes', async () => {
    const { client, clock } = await rig({}, { faults: { blockPushes: true } });
    client.mutate('t1', 'addMessage', userMessage('m1'));
    const flushed = client.flushPending({ timeoutMs: 5000 });
    const outcome = expect(flushed).rejects.toMatchObject({ kind: 'timeout' });
    await clock.advanceAsync(6000);
    await outcome;
    expect(client.getPendingItems()).toHaveLength(1);
  });
});

describe('persistence', () => {
  it('resumes the stored outbox in a new client and sends each write exactly once', async () => {
    const { client, clock, fake, storage } = await rig({}, { faults: { blockPushes: true } });
    for (let i = 0; i < 20; i++) client.mutate('t1', 'addMessage', userMessage(`m${i}`));
    await clock.advanceAsync(2000);
    client.dispose(); // the tab is closed with everything unsent
    fake.setFaults({});
    const next = createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock), storage });
    next.start();
    await next.ready;
    expect(next.getPendingItems()).toHaveLength(20);
    expect(next.getThread('t1')?.messages).toHaveLength(20);
    const flushed = next.flushPending();
    await clock.advanceAsync(1000);
    expect(await flushed).toBe(20);
    expect(fake.backend.stats().applied).toBe(20);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    next.dispose();
  });

  it('re-sends a write whose answer was lost without applying it twice', async () => {
    const { client, clock, fake } = await rig({}, { faults: { lostAnswerRate: 1 } });
    client.mutate('t1', 'addMessage', userMessage('m1'));
    await clock.advanceAsync(150);
    expect(fake.backend.stats().applied).toBe(1);
    fake.setFaults({});
    await clock.advanceAsync(5000);
    expect(client.getPendingItems()).toEqual([]);
    expect(fake.backend.stats().applied).toBe(1);
  });

  it('keeps namespaces apart', async () => {
    const clock = createFakeClock();
    const fake = createFakeBackend({ clock, faults: { blockPushes: true } });
    const storage = createMemoryStorage();
    const make = (namespace: string) =>
      createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock), storage, namespace });
    const alice = make('alice');
    await alice.ready;
    alice.mutate('t1', 'addMessage', userMessage('secret'));
    await clock.advanceAsync(10);
    alice.dispose();
    const bob = make('bob');
    await bob.ready;
    expect(bob.getPendingItems()).toEqual([]);
    const alice2 = make('alice');
    await alice2.ready;
    expect(alice2.getPendingItems()).toHaveLength(1);
  });
});

describe('the last push and stable client ids', () => {
  it('on pagehide sends every unacknowledged write with keepalive, exactly once on the server', async () => {
    const clock = createFakeClock();
    const env = createFakeEnvironment(clock);
    const fake = createFakeBackend({ clock, faults: { hangRate: 1 } });
    const keepalive: number[] = [];
    const connector = {
      ...fake.connector,
      push: (req: Parameters<typeof fake.connector.push>[0], opts?: Parameters<typeof fake.connector.push>[1]) => {
        if (opts?.keepalive) keepalive.push(req.mutations.length);
        return fake.connector.push(req, opts);
      },
    };
    const client = createSyncClient({ connector, clock, environment: env, storage: createMemoryStorage() });
    client.start();
    await client.ready;
    for (let i = 0; i < 5; i++) client.mutate('t1', 'addMessage', userMessage(`m${i}`));
    await clock.advanceAsync(150); // the first push hangs, in flight
    fake.setFaults({});
    env.emit('pagehide');
    await clock.advanceAsync(10);
    expect(keepalive).toEqual([5]);
    expect(fake.thread('t1')?.messages).toHaveLength(5);
    await clock.advanceAsync(15_000); // the hung push times out and is re-sent: duplicates only
    expect(client.getPendingItems()).toEqual([]);
    expect(fake.backend.applied).toHaveLength(5);
    client.dispose();
  });

  it('a stable clientId never reuses a seq after a reload', async () => {
    const clock = createFakeClock();
    const fake = createFakeBackend({ clock });
    const storage = createMemoryStorage();
    const make = () =>
      createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock), storage, clientId: 'device-1' });
    const first = make();
    first.start();
    await first.ready;
    first.mutate('t1', 'addMessage', userMessage('a'));
    first.mutate('t1', 'addMessage', userMessage('b'));
    const flushed = first.flushPending();
    await clock.advanceAsync(200);
    await flushed;
    first.dispose();

    const second = make();
    second.start();
    await second.ready;
    const c = second.mutate('t1', 'addMessage', userMessage('c'));
    expect(c.seq).toBe(3);
    const done = second.flushPending();
    await clock.advanceAsync(200);
    expect(await done).toBe(1);
    expect(fake.thread('t1')?.messages.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    second.dispose();
  });
});

describe('server versions and identity', () => {
  it('keeps the objects of messages a new server version did not change', async () => {
    const { client, clock, fake } = await rig();
    client.watch('t1');
    fake.backend.serverWrite('t1', 'addMessage', userMessage('a'));
    fake.backend.serverWrite('t1', 'addMessage', userMessage('b'));
    await clock.advanceAsync(5000);
    const [a, b] = client.getThread('t1')!.messages;
    fake.backend.serverWrite('t1', 'editMessage', { messageId: 'b', content: 'changed' });
    fake.backend.serverWrite('t1', 'addMessage', userMessage('c'));
    await clock.advanceAsync(5000);
    const after = client.getThread('t1')!.messages;
    expect(after.map((m) => m.content)).toEqual(['message a', 'changed', 'message c']);
    expect(after[0]).toBe(a);
    expect(after[1]).not.toBe(b);
  });
});

import { createMemoryStorage, createSyncClient, isSyncError } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import { userMessage } from '../helpers.js';

/**
 * The takeover of docs/outbox.md: page A stops answering (frozen, its lock lost: here it simply
 * sits in another fake browser's lock table), page B loads the same storage, resumes A's stored
 * write under a newer epoch and sends it. A wakes up: its next push is answered 409.
 */
async function takeover() {
  const clock = createFakeClock();
  const envA = createFakeEnvironment(clock);
  const envB = createFakeEnvironment(clock);
  const fake = createFakeBackend({ clock, faults: { blockPushes: true } });
  const storage = createMemoryStorage();
  const make = (environment = envB) => {
    const c = createSyncClient({ connector: fake.connector, clock, environment, storage });
    c.start();
    return c;
  };
  const a = make(envA);
  await a.ready;
  a.watch('t1');
  a.mutate('t1', 'addMessage', userMessage('w1'));
  await clock.advanceAsync(1000);
  const b = make();
  await b.ready;
  fake.setFaults({});
  b.reconnect(); // B sends A's stored w1 first, under epoch 2
  await clock.advanceAsync(100);
  a.mutate('t1', 'addMessage', userMessage('w2'));
  await clock.advanceAsync(60_000);
  return { clock, fake, a, b, make };
}

const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return null;
};

describe('a push answered 409: fenced for as long as writes cannot be sent (fake clock)', () => {
  it('health says fenced, mutate throws, and the write stays stored unsent', async () => {
    const { fake, a, b } = await takeover();
    expect(fake.backend.stats().fenced).toBe(1);
    expect(a.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'fenced' });
    expect(b.getHealthStatus().degraded).toBe(false);
    const error = thrown(() => a.mutate('t1', 'addMessage', userMessage('w3')));
    expect(isSyncError(error) && error.kind).toBe('fenced');
    // w1 went out through B; A never learnt it, and w2 is A's alone: both wait, saying why.
    const pending = a.getPendingItems();
    expect(pending.map((w) => w.state)).toEqual(['queued', 'queued']);
    expect(pending.every((w) => w.lastError?.kind === 'fenced')).toBe(true);
    expect(fake.thread('t1')!.messages.map((m) => m.id)).toEqual(['w1']);
    expect(a.getThread('t1')!.messages.map((m) => m.id)).toEqual(['w1', 'w2']); // still shown, still pending
  });

  it('stop() and start() and reconnect() do not make it healthy, nor let it send', async () => {
    const { clock, fake, a } = await takeover();
    const pushes = fake.stats().requests.push;
    a.stop();
    expect(a.getHealthStatus()).toMatchObject({ state: 'stopped', degraded: true, degradedReason: 'fenced' });
    a.start();
    await clock.advanceAsync(10_000);
    // The stream and pulls work again (it still shows what others write), the outbox does not.
    expect(a.getHealthStatus()).toMatchObject({ state: 'live', degraded: true, degradedReason: 'fenced' });
    a.reconnect();
    await clock.advanceAsync(10_000);
    expect(a.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'fenced' });
    expect(isSyncError(thrown(() => a.mutate('t1', 'setTitle', { title: 'x' })))).toBe(true);
    expect(fake.stats().requests.push).toBe(pushes);
    expect(fake.backend.stats().fenced).toBe(1);
  });

  it('the way out: dispose it; the next client on that storage sends its writes, exactly once', async () => {
    const { clock, fake, a, b, make } = await takeover();
    b.dispose();
    a.dispose();
    const next = make();
    await next.ready;
    await clock.advanceAsync(5000);
    expect(next.getPendingItems()).toEqual([]);
    expect(next.getHealthStatus().degraded).toBe(false);
    expect(fake.thread('t1')!.messages.map((m) => m.id)).toEqual(['w1', 'w2']);
  });
});

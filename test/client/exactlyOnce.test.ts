import { SyncError, createMemoryStorage, createSyncClient, type SyncConnector } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import { userMessage } from '../helpers.js';

/** The fake backend's connector with scripted push outcomes: 'applied-408' applies, then answers 408. */
function scripted(script: Array<'applied-408' | '408' | '422'>) {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock });
  const connector: SyncConnector = {
    ...fake.connector,
    async push(request, options) {
      const step = script.shift();
      if (step === '422') throw new SyncError('protocol', 'POST /push answered 422.', { status: 422 });
      if (step === '408') throw new SyncError('http', 'POST /push answered 408.', { status: 408 });
      const answer = await fake.connector.push(request, options);
      if (step === 'applied-408') throw new SyncError('http', 'POST /push answered 408.', { status: 408 });
      return answer;
    },
  };
  const storage = createMemoryStorage();
  const client = createSyncClient({ connector, clock, environment: createFakeEnvironment(clock), storage });
  client.start();
  return { clock, fake, client, storage };
}

describe('a write whose first attempt may have been applied keeps its (clientId, seq)', () => {
  it('408 after the server applied it, 422 on the resend: retry() gets "duplicate", never a second apply', async () => {
    const { clock, fake, client } = scripted(['applied-408', '422']);
    await client.ready;
    const write = client.mutate('t1', 'addMessage', userMessage('m1', 'hi'));
    await clock.advanceAsync(5000);
    const [failed] = client.getPendingItems();
    expect(failed).toMatchObject({ id: write.id, state: 'failed', seq: write.seq });
    expect(fake.backend.applied.filter((a) => a.id === write.id)).toHaveLength(1);

    client.retry(write.id);
    expect(client.getPendingItems()[0]).toMatchObject({ id: write.id, state: 'queued', seq: write.seq });
    await clock.advanceAsync(5000);
    expect(client.getPendingItems()).toEqual([]);
    expect(fake.backend.applied.filter((a) => a.id === write.id)).toHaveLength(1);
    expect(fake.backend.stats()).toMatchObject({ duplicates: 1 });
    expect(fake.thread('t1')?.messages.map((m) => m.content)).toEqual(['hi']);
    expect(client.getThread('t1')).toEqual(fake.thread('t1'));
  });

  it('keeps the flag through a reload: the next client resends under the old seq', async () => {
    const { clock, fake, client, storage } = scripted(['applied-408', '422']);
    await client.ready;
    const write = client.mutate('t1', 'addMessage', userMessage('m1', 'hi'));
    await clock.advanceAsync(5000);
    client.dispose();
    expect((await storage.loadWrites('default'))[0]).toMatchObject({ id: write.id, maybeApplied: true, state: 'failed' });
    const next = createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock), storage });
    next.start();
    await next.ready;
    next.retry(write.id);
    await clock.advanceAsync(5000);
    expect(next.getPendingItems()).toEqual([]);
    expect(fake.backend.applied.filter((a) => a.id === write.id)).toHaveLength(1);
    next.dispose();
  });

  it('a resend the server never saw ("out-of-order") goes again under a new seq, once', async () => {
    const { clock, fake, client } = scripted(['408', '422']);
    await client.ready;
    const first = client.mutate('t1', 'addMessage', userMessage('m1', 'first'));
    await clock.advanceAsync(5000);
    expect(client.getPendingItems()[0]).toMatchObject({ id: first.id, state: 'failed' });
    // A later write moves the server's highest seq for this client past the failed one.
    client.mutate('t1', 'addMessage', userMessage('m2', 'second'));
    await clock.advanceAsync(5000);
    client.retry(first.id);
    await clock.advanceAsync(5000);
    expect(client.getPendingItems()).toEqual([]);
    await expect(first.settled).rejects.toBeInstanceOf(SyncError); // the first attempt's promise failed
    expect(fake.thread('t1')?.messages.map((m) => m.content)).toEqual(['second', 'first']);
    expect(fake.backend.applied.filter((a) => a.id === first.id)).toHaveLength(1);
  });
});

import { createMemoryStorage, createSyncClient, type SyncConnector } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';

/** The fake backend, with every push answer's version replaced by `v`. */
function lyingAcks(v: number, stream: boolean) {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock });
  const { openStream, ...rest } = fake.connector;
  const connector: SyncConnector = {
    ...rest,
    ...(stream ? { openStream } : {}),
    async push(request, options) {
      const answer = await fake.connector.push(request, options);
      return { ...answer, results: answer.results.map((r) => (r.status === 'rejected' ? r : { ...r, v })) };
    },
  };
  const client = createSyncClient({ connector, clock, environment: createFakeEnvironment(clock), storage: createMemoryStorage() });
  client.start();
  return { clock, fake, client };
}

describe('an acknowledged write never re-applies, whatever version its ack names', () => {
  it.each([
    ['v = 1e15, stream live', 1e15, true],
    ['v = 1e15, polling', 1e15, false],
    ['v = 2^53 - 1, stream live', Number.MAX_SAFE_INTEGER, true],
    ['v = 2^53 + 2 (not a safe integer), stream live', 2 ** 53 + 2, true],
    ['v = -1, polling', -1, false],
  ])('%s: the view converges on the server copy', async (_name, v, stream) => {
    const { clock, fake, client } = lyingAcks(v, stream);
    await client.ready;
    client.watch('t1');
    await clock.advanceAsync(500);
    client.mutate('t1', 'addMessage', { message: { id: 'm1', role: 'user', content: 'Hello', createdAt: 1 } });
    await clock.advanceAsync(500);
    client.mutate('t1', 'appendDelta', { messageId: 'm1', text: '!' });
    await clock.advanceAsync(20_000);
    expect(fake.thread('t1')?.messages[0]?.content).toBe('Hello!');
    expect(client.getThread('t1')).toEqual(fake.thread('t1'));
    expect(client.getPendingItems()).toEqual([]);
    // Someone else writes: still no trace of the acknowledged writes applied twice.
    fake.backend.serverWrite('t1', 'setTitle', { title: 'later' });
    await clock.advanceAsync(120_000); // polling stretches toward idleMs
    expect(client.getThread('t1')).toEqual(fake.thread('t1'));
    // The version the client asks from is the server's, never the ack's.
    expect(client.getConfirmedThread('t1')?.v).toBe(fake.thread('t1')?.v);
    client.dispose();
  });
});

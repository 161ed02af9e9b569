import { QueryClient } from '@tanstack/react-query';
import { connectQueryClient, threadQueryKey, threadQueryOptions } from 'syncline/query';
import { rig, userMessage } from '../helpers.js';

describe('syncline/query: the TanStack Query bridge', () => {
  it('fetches a thread through syncline and keeps the cache equal to the optimistic view', async () => {
    const { client, clock, fake } = await rig();
    fake.backend.serverWrite('t1', 'addMessage', userMessage('seed'));
    const queryClient = new QueryClient();
    const disconnect = connectQueryClient(client, queryClient);

    const fetched = queryClient.fetchQuery(threadQueryOptions(client, 't1'));
    await clock.advanceAsync(50);
    expect((await fetched)?.messages.map((m) => m.id)).toEqual(['seed']);

    client.mutate('t1', 'addMessage', userMessage('mine'));
    await clock.advanceAsync(0);
    expect(queryClient.getQueryData(threadQueryKey('t1'))).toEqual(client.getThread('t1'));
    expect(client.getThread('t1')?.messages.map((m) => m.id)).toEqual(['seed', 'mine']);

    // A rollback reaches the cache too.
    client.mutate('t1', 'editMessage', { messageId: 'missing', content: 'x' });
    await clock.advanceAsync(500);
    expect(queryClient.getQueryData(threadQueryKey('t1'))).toEqual(client.getThread('t1'));

    // Threads nobody queried stay out of the cache.
    client.mutate('t2', 'setTitle', { title: 'unqueried' });
    await clock.advanceAsync(0);
    expect(queryClient.getQueryData(threadQueryKey('t2'))).toBeUndefined();

    disconnect();
    client.mutate('t1', 'setTitle', { title: 'after disconnect' });
    await clock.advanceAsync(0);
    expect((queryClient.getQueryData(threadQueryKey('t1')) as { title?: string }).title).toBeUndefined();
    queryClient.clear();
  });
});

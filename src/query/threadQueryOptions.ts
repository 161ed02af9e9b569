import type { BaseMessage, Thread } from '../model/types.js';
import type { SyncClient } from '../client/types.js';

/** The query key syncline's bridge keeps in step: `['syncline', 'thread', threadId]`. */
export function threadQueryKey(threadId: string): readonly ['syncline', 'thread', string] {
  return ['syncline', 'thread', threadId] as const;
}

/**
 * Options for `useQuery` / `queryClient.fetchQuery` that read a thread through syncline: the
 * first fetch pulls it, and `connectQueryClient` keeps the cached data equal to the optimistic
 * view afterwards, so the query never needs to refetch by itself (`staleTime: Infinity`). The
 * data is typed with the client's message type.
 */
export function threadQueryOptions<M extends BaseMessage, D>(client: SyncClient<M, D>, threadId: string) {
  return {
    queryKey: threadQueryKey(threadId),
    queryFn: async (): Promise<Thread<M> | null> => {
      await client.syncImmediately(threadId);
      return client.getThread(threadId) ?? null;
    },
    staleTime: Infinity,
  };
}

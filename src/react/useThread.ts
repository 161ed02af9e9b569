'use client';
import { useCallback, useEffect, useMemo } from 'react';
import type { MutationArgs, MutationName, NoMutators, TypedPendingWrite } from '../model/mutations.js';
import type { BaseMessage, Message, Thread, ThreadSyncStatus } from '../model/types.js';
import { selectStatus } from '../client/selectors.js';
import type { SyncStoreState } from '../client/types.js';
import { useSyncClient } from './useSyncClient.js';
import { useSyncSelector } from './useSyncSelector.js';

export interface UseThreadResult<M extends BaseMessage = Message, D = NoMutators> {
  /** The optimistic view: the confirmed thread with pending writes re-applied. */
  thread: Thread<M> | undefined;
  status: ThreadSyncStatus;
  /** Applies a write optimistically and queues it; returns at once. Typed as `client.mutate`. */
  mutate<N extends MutationName<M, D>>(name: N, args: MutationArgs<M, D>[N]): TypedPendingWrite<M, D>;
}

type ThreadSlice = Pick<UseThreadResult, 'thread' | 'status'>;

/**
 * Watches `threadId` while mounted (pulled and pushed) and reads its optimistic view. Typed with
 * the default model; `createSyncHooks(client)` gives it back typed with the app's.
 */
export function useThread(threadId: string): UseThreadResult {
  const client = useSyncClient();
  // client.watch returns its own unwatch, so StrictMode's mount-unmount-mount nets one watch.
  useEffect(() => client.watch(threadId), [client, threadId]);

  // One subscription for both slices: the pair keeps its identity until either slice changes.
  const select = useMemo(() => {
    let last: ThreadSlice | undefined;
    return (s: SyncStoreState): ThreadSlice => {
      const thread = s.threads[threadId];
      const status = selectStatus(s, threadId);
      if (!last || last.thread !== thread || last.status !== status) last = { thread, status };
      return last;
    };
  }, [threadId]);
  const { thread, status } = useSyncSelector(select);

  const mutate: UseThreadResult['mutate'] = useCallback((name, args) => client.mutate(threadId, name, args), [client, threadId]);
  return useMemo(() => ({ thread, status, mutate }), [thread, status, mutate]);
}

import type { BaseMessage, Thread } from '../model/types.js';
import type { AnySyncClient } from '../client/types.js';
import { threadQueryKey } from './threadQueryOptions.js';

/** The part of TanStack Query's QueryClient the bridge uses (structural: no import of it). */
export interface QueryClientLike {
  setQueryData(queryKey: readonly unknown[], data: Thread<BaseMessage> | null): unknown;
  getQueryData(queryKey: readonly unknown[]): unknown;
}

/**
 * Keeps TanStack Query's cache equal to syncline's optimistic views: whenever a thread that has a
 * cached query changes (a local write, a rollback, a server version), its query data is replaced.
 * Threads nobody queried are left alone. Returns the function that disconnects.
 */
export function connectQueryClient(client: AnySyncClient, queryClient: QueryClientLike): () => void {
  let threads = client.store.getState().threads;
  return client.store.subscribe((state) => {
    if (state.threads === threads) return;
    const previous = threads;
    threads = state.threads;
    const ids = new Set([...Object.keys(previous), ...Object.keys(threads)]);
    for (const id of ids) {
      if (previous[id] === threads[id]) continue;
      const key = threadQueryKey(id);
      if (queryClient.getQueryData(key) === undefined) continue;
      queryClient.setQueryData(key, threads[id] ?? null);
    }
  });
}

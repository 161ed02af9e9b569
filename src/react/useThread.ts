'use client';
import { useCallback, useEffect, useMemo } from 'react';
import type { PendingWrite, Thread, ThreadSyncStatus } from '../core/types.js';
import type { SyncStoreState } from '../store/types.js';
import { useSyncClient } from './useSyncClient.js';
import { useSyncSelector } from './useSyncSelector.js';
import { useSyncStatus } from './useSyncStatus.js';

export interface UseThreadResult {
  /** The optimistic view: the confirmed thread with pending writes re-applied. */
  thread: Thread | undefined;
  status: ThreadSyncStatus;
  /** Applies a write optimistically and queues it; returns at once. */
  mutate(name: string, args: unknown): PendingWrite;
}

/** Watches `threadId` while mounted (pulled and pushed) and reads its optimistic view. */
export function useThread(threadId: string): UseThreadResult {
  const client = useSyncClient();
  // client.watch returns its own unwatch, so StrictMode's mount-unmount-mount nets one watch.
  useEffect(() => client.watch(threadId), [client, threadId]);
  const thread = useSyncSelector(
    useCallback((s: SyncStoreState) => s.threads[threadId], [threadId]),
  );
  const status = useSyncStatus(threadId);
  const mutate = useCallback(
    (name: string, args: unknown) => client.mutate(threadId, name, args),
    [client, threadId],
  );
  return useMemo(() => ({ thread, status, mutate }), [thread, status, mutate]);
}

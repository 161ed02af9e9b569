'use client';
import { useCallback, useMemo } from 'react';
import type { NoMutators, TypedPendingWrite } from '../model/mutations.js';
import type { BaseMessage, Message } from '../model/types.js';
import { selectPending } from '../client/selectors.js';
import type { SyncStoreState } from '../client/types.js';
import { useSyncClient } from './useSyncClient.js';
import { useSyncSelector } from './useSyncSelector.js';

export interface UsePendingItemsResult<M extends BaseMessage = Message, D = NoMutators> {
  /** Writes not acknowledged yet, failed ones included, in the order they were made. */
  items: TypedPendingWrite<M, D>[];
  /** Sends a failed write again. */
  retry(writeId: string): void;
  /** Drops a write for good; its optimistic effect leaves the view. */
  discard(writeId: string): void;
}

/** The pending writes of one thread, or of every thread when `threadId` is left out. */
export function usePendingItems(threadId?: string): UsePendingItemsResult {
  const client = useSyncClient();
  const items = useSyncSelector(useCallback((s: SyncStoreState) => selectPending(s, threadId), [threadId]));
  const retry = useCallback((writeId: string) => client.retry(writeId), [client]);
  const discard = useCallback((writeId: string) => client.discard(writeId), [client]);
  return useMemo(() => ({ items, retry, discard }), [items, retry, discard]);
}

'use client';
import { useCallback } from 'react';
import type { ThreadSyncStatus } from '../model/types.js';
import { selectStatus } from '../client/selectors.js';
import type { SyncStoreState } from '../client/types.js';
import { useSyncSelector } from './useSyncSelector.js';

/**
 * The sync status of one thread, or of the whole client when `threadId` is left out.
 * A thread the client has never seen reads as `unknown` (one shared frozen object).
 */
export function useSyncStatus(threadId?: string): ThreadSyncStatus {
  const select = useCallback((s: SyncStoreState) => selectStatus(s, threadId), [threadId]);
  return useSyncSelector(select);
}

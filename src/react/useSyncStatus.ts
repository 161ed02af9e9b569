'use client';
import { useCallback } from 'react';
import type { ThreadSyncStatus } from '../core/types.js';
import type { SyncStoreState } from '../store/types.js';
import { unknownStatus } from './unknownStatus.js';
import { useSyncSelector } from './useSyncSelector.js';

/**
 * The sync status of one thread, or of the whole client when `threadId` is left out.
 * A thread the client has never seen reads as `unknown`.
 */
export function useSyncStatus(threadId?: string): ThreadSyncStatus {
  const select = useCallback(
    (s: SyncStoreState) =>
      threadId === undefined ? s.clientStatus : (s.status[threadId] ?? unknownStatus),
    [threadId],
  );
  return useSyncSelector(select);
}

import type { PendingWrite, ThreadSyncStatus } from '../core/types.js';
import { UNKNOWN_STATUS } from './deriveStatus.js';
import { NO_WRITES } from './groupPending.js';
import type { SyncStoreState } from './types.js';

/** One thread's status (`unknown` for a thread never seen), or the whole client's without an id. */
export function selectStatus(state: SyncStoreState, threadId?: string): ThreadSyncStatus {
  return threadId === undefined ? state.clientStatus : (state.status[threadId] ?? UNKNOWN_STATUS);
}

/** One thread's pending writes, or every one without an id; identity-stable while unchanged. */
export function selectPending(state: SyncStoreState, threadId?: string): PendingWrite[] {
  return threadId === undefined ? state.pending : (state.pendingByThread[threadId] ?? NO_WRITES);
}

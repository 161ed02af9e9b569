import type { NoMutators, TypedPendingWrite } from '../model/mutations.js';
import type { BaseMessage, Message, ThreadSyncStatus } from '../model/types.js';
import { UNKNOWN_STATUS } from './deriveStatus.js';
import { NO_WRITES } from './groupPending.js';
import type { SyncStoreState } from './types.js';

/** One thread's status (`unknown` for a thread never seen), or the whole client's without an id. */
export function selectStatus<M extends BaseMessage, D>(state: SyncStoreState<M, D>, threadId?: string): ThreadSyncStatus {
  return threadId === undefined ? state.clientStatus : (state.status[threadId] ?? UNKNOWN_STATUS);
}

/** One thread's pending writes, or every one without an id; identity-stable while unchanged. */
export function selectPending<M extends BaseMessage = Message, D = NoMutators>(
  state: SyncStoreState<M, D>,
  threadId?: string,
): TypedPendingWrite<M, D>[] {
  if (threadId === undefined) return state.pending;
  return state.pendingByThread[threadId] ?? (NO_WRITES as TypedPendingWrite<M, D>[]);
}

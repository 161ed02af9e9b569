import type { SyncError } from '../core/errors.js';
import type { PendingWrite, SyncState, ThreadSyncStatus } from '../core/types.js';

export interface WriteCounts {
  pendingCount: number;
  failedCount: number;
  /** The error of the latest failed write. */
  error: SyncError | null;
}

export function countWrites(writes: readonly PendingWrite[]): WriteCounts {
  let pendingCount = 0;
  let failedCount = 0;
  let error: SyncError | null = null;
  for (const write of writes) {
    if (write.state === 'failed') {
      failedCount++;
      error = write.lastError;
    } else {
      pendingCount++;
    }
  }
  return { pendingCount, failedCount, error };
}

export interface StatusInputs {
  writes: readonly PendingWrite[];
  /** `countWrites(writes)` when the caller already has it. */
  counted?: WriteCounts;
  inFlight: boolean;
  online: boolean;
  lastSyncedAt: number | null;
}

/**
 * DESIGN §4, in this order: `error` if a write failed and was not discarded; `offline` if writes
 * wait while offline; `syncing` while a push or pull for it is in flight; `pending` while writes
 * wait; `synced` once a pull or push succeeded; else `unknown`.
 */
export function deriveStatus(inputs: StatusInputs): ThreadSyncStatus {
  const { pendingCount, failedCount, error } = inputs.counted ?? countWrites(inputs.writes);
  let state: SyncState;
  if (failedCount > 0) state = 'error';
  else if (pendingCount > 0 && !inputs.online) state = 'offline';
  else if (inputs.inFlight) state = 'syncing';
  else if (pendingCount > 0) state = 'pending';
  else if (inputs.lastSyncedAt !== null) state = 'synced';
  else state = 'unknown';
  return { state, pendingCount, failedCount, lastSyncedAt: inputs.lastSyncedAt, error };
}

/** Keeps the previous object when nothing changed, so subscribed components do not re-render. */
export function sameStatus(a: ThreadSyncStatus | undefined, b: ThreadSyncStatus): boolean {
  return (
    a !== undefined &&
    a.state === b.state &&
    a.pendingCount === b.pendingCount &&
    a.failedCount === b.failedCount &&
    a.lastSyncedAt === b.lastSyncedAt &&
    a.error === b.error
  );
}

export const UNKNOWN_STATUS: ThreadSyncStatus = Object.freeze({
  state: 'unknown',
  pendingCount: 0,
  failedCount: 0,
  lastSyncedAt: null,
  error: null,
}) as ThreadSyncStatus;

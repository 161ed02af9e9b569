import type { SyncError } from '../model/errors.js';
import type { PendingWrite, SyncState, ThreadSyncStatus } from '../model/types.js';

interface WriteCounts {
  pendingCount: number;
  failedCount: number;
  /** The error of the latest failed write. */
  error: SyncError | null;
}

const countCache = new WeakMap<readonly PendingWrite[], WriteCounts>();

/** Counted once per version of a list (the queue, or one thread's group): lists keep their identity. */
function countWrites(writes: readonly PendingWrite[]): WriteCounts {
  let counts = countCache.get(writes);
  if (counts) return counts;
  counts = { pendingCount: 0, failedCount: 0, error: null };
  for (const write of writes) {
    if (write.state === 'failed') {
      counts.failedCount++;
      counts.error = write.lastError;
    } else {
      counts.pendingCount++;
    }
  }
  countCache.set(writes, counts);
  return counts;
}

export interface StatusInputs {
  writes: readonly PendingWrite[];
  inFlight: boolean;
  online: boolean;
  lastSyncedAt: number | null;
  /** Whether this page load heard from the server (docs/local-copy.md). @default true */
  heard?: boolean;
}

/**
 * docs/outbox.md, "Status of a thread", in this order: `error` if a write failed and was not discarded; `offline` if writes
 * wait while offline; `syncing` while a push or pull for it is in flight; `pending` while writes
 * wait; `synced` once a pull or push succeeded (in this page load: a thread shown from the local copy
 * is not); else `unknown`.
 */
export function deriveStatus({ writes, inFlight, online, lastSyncedAt, heard = true }: StatusInputs): ThreadSyncStatus {
  const { pendingCount, failedCount, error } = countWrites(writes);
  let state: SyncState;
  if (failedCount > 0) state = 'error';
  else if (pendingCount > 0 && !online) state = 'offline';
  else if (inFlight) state = 'syncing';
  else if (pendingCount > 0) state = 'pending';
  else if (lastSyncedAt !== null && heard) state = 'synced';
  else state = 'unknown';
  return { state, pendingCount, failedCount, lastSyncedAt, error };
}

/** A thread never seen: no writes, never synced. */
export const UNKNOWN_STATUS: ThreadSyncStatus = Object.freeze(
  deriveStatus({ writes: [], inFlight: false, online: true, lastSyncedAt: null }),
);

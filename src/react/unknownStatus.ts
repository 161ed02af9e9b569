import type { ThreadSyncStatus } from '../core/types.js';

/** What a thread the store has never seen reads as. One frozen object, so selectors stay stable. */
export const unknownStatus: ThreadSyncStatus = Object.freeze({
  state: 'unknown',
  pendingCount: 0,
  failedCount: 0,
  lastSyncedAt: null,
  error: null,
});

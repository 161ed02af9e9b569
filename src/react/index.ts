export { SyncProvider } from './SyncProvider.js';
export type { SyncProviderProps } from './SyncProvider.js';
export { useSyncClient } from './useSyncClient.js';
export { useSyncSelector } from './useSyncSelector.js';
export { createSyncHooks } from './createSyncHooks.js';
export type { SyncHooks, SyncHooksFor } from './createSyncHooks.js';
export { useSyncStatus } from './useSyncStatus.js';
export { useThread } from './useThread.js';
export type { UseThreadResult } from './useThread.js';
export { usePendingItems } from './usePendingItems.js';
export type { UsePendingItemsResult } from './usePendingItems.js';
export { useSyncHealth } from './useSyncHealth.js';
export { useUnloadGuard } from './useUnloadGuard.js';
export { useSyncMetrics } from './useSyncMetrics.js'; // metrics hook

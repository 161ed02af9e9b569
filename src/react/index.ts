export { SyncProvider } from './SyncProvider.js';
export type { SyncProviderProps } from './SyncProvider.js';
export { useSyncClient } from './useSyncClient.js';
export { useSyncStatus } from './useSyncStatus.js';
export { useThread } from './useThread.js';
export type { UseThreadResult } from './useThread.js';
export { usePendingItems } from './usePendingItems.js';
export type { UsePendingItemsResult } from './usePendingItems.js';
export { useSyncHealth } from './useSyncHealth.js';

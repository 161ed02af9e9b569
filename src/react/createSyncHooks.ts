'use client';
import type { NoMutators } from '../model/mutations.js';
import type { BaseMessage, Message } from '../model/types.js';
import type { AnySyncClient, SyncClient, SyncStoreState } from '../client/types.js';
import { usePendingItems, type UsePendingItemsResult } from './usePendingItems.js';
import { useSyncClient } from './useSyncClient.js';
import { useSyncSelector } from './useSyncSelector.js';
import { useThread, type UseThreadResult } from './useThread.js';

/** The hooks that carry the app's model, as `createSyncHooks` returns them. */
export interface SyncHooks<M extends BaseMessage = Message, D = NoMutators> {
  useSyncClient(): SyncClient<M, D>;
  useThread(threadId: string): UseThreadResult<M, D>;
  usePendingItems(threadId?: string): UsePendingItemsResult<M, D>;
  useSyncSelector<T>(selector: (state: SyncStoreState<M, D>) => T): T;
}

/** The hooks typed with the model of client type `C`. */
export type SyncHooksFor<C extends AnySyncClient> = C extends SyncClient<infer M, infer D> ? SyncHooks<M, D> : never;

/**
 * The hooks, typed once with the app's message type and mutators, read from its client's type:
 * `export const { useThread, usePendingItems } = createSyncHooks(client)`, or without the
 * instance at hand `createSyncHooks<AppClient>()`. They are the hooks of `syncline/react` (they
 * read the client of the nearest `SyncProvider`); only their types differ. A factory rather than
 * a global `Register` declaration, so two clients with different models (an app and an embedded
 * widget, or tests) never clash (docs/typing.md).
 */
export function createSyncHooks<C extends AnySyncClient>(client?: C): SyncHooksFor<C> {
  void client; // read for its type only
  return { useSyncClient, useThread, usePendingItems, useSyncSelector } as unknown as SyncHooksFor<C>;
}

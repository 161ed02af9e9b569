'use client';
import { useContext } from 'react';
import type { SyncClient } from '../client/types.js';
import { SyncClientContext } from './SyncClientContext.js';

/**
 * The client given to the nearest `SyncProvider`. Throws, saying how to fix it, outside one.
 * Typed with the default model; `createSyncHooks(client)` gives it back typed with the app's.
 */
export function useSyncClient(): SyncClient {
  const client = useContext(SyncClientContext);
  if (!client) {
    throw new Error(
      'syncline: no SyncClient found. Wrap this part of the tree in ' +
        '<SyncProvider client={createSyncClient(...)}> (from "syncline/react").',
    );
  }
  return client as SyncClient;
}

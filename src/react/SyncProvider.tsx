'use client';
import type { ReactNode } from 'react';
import type { SyncClient } from '../store/types.js';
import { SyncClientContext } from './SyncClientContext.js';

export interface SyncProviderProps {
  /**
   * Made once per app, outside render, with `createSyncClient`. The provider neither starts nor
   * disposes it: the client outlives remounts (StrictMode, route changes).
   */
  client: SyncClient;
  children?: ReactNode;
}

/** Makes `client` available to every syncline hook and component below it. */
export function SyncProvider({ client, children }: SyncProviderProps) {
  return <SyncClientContext.Provider value={client}>{children}</SyncClientContext.Provider>;
}

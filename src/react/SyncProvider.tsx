'use client';
import { useEffect, useLayoutEffect } from 'react';
import type { ReactNode } from 'react';
import type { AnySyncClient } from '../client/types.js';
import { SyncClientContext } from './SyncClientContext.js';

export interface SyncProviderProps {
  /**
   * Made once per app, outside render, with `createSyncClient`. The provider starts it on mount
   * and stops it on unmount; it never disposes it, so a remount (StrictMode, a route change)
   * picks the same outbox up again.
   */
  client: AnySyncClient;
  children?: ReactNode;
}

// A layout effect runs before any child's passive effect, so the client is started by the time
// `useThread` watches (its first pull then covers the watched threads). On the server neither
// runs; picking useEffect there keeps React 18 from warning about useLayoutEffect.
const useStartEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/** Makes `client` available to every syncline hook and component below it, and runs it. */
export function SyncProvider({ client, children }: SyncProviderProps) {
  useStartEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  return <SyncClientContext.Provider value={client}>{children}</SyncClientContext.Provider>;
}

'use client';
import { useCallback, useSyncExternalStore } from 'react';
import type { SyncStoreState } from '../client/types.js';
import { useSyncClient } from './useSyncClient.js';

/**
 * The one store subscription every hook goes through, public for reading a slice no hook offers.
 * `selector` must return a slice the store keeps identity-stable (or a constant, or a memoised
 * derivation): React re-renders only when `Object.is` says it changed.
 *
 * On the server and during hydration it reads the store's initial state, so the HTML the server
 * sent and the first client render agree; the live state follows right after hydration.
 */
export function useSyncSelector<T>(selector: (state: SyncStoreState) => T): T {
  const { store } = useSyncClient();
  const getSnapshot = useCallback(() => selector(store.getState()), [store, selector]);
  const getServerSnapshot = useCallback(
    // zustand < 4.5 stores have no getInitialState; their current state is the next best thing.
    () => selector(typeof store.getInitialState === 'function' ? store.getInitialState() : store.getState()),
    [store, selector],
  );
  return useSyncExternalStore(store.subscribe, getSnapshot, getServerSnapshot);
}

'use client';
import { useEffect } from 'react';
import { useSyncClient } from './useSyncClient.js';

/**
 * Opt-in: while writes are unacknowledged (queued or being sent), asks the browser to confirm
 * before the page is closed or reloaded. Writes are kept in IndexedDB either way and sent on the
 * next visit; this guard is for apps whose users expect an immediate hand-off, or whose storage
 * is memory-only. Failed writes do not hold the page: they wait for a person anyway.
 */
export function useUnloadGuard(enabled = true): void {
  const client = useSyncClient();
  useEffect(() => {
    if (!enabled || typeof addEventListener !== 'function') return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (client.getPendingItems().some((w) => w.state !== 'failed')) {
        event.preventDefault();
        // Older browsers show the dialog only when returnValue is set.
        event.returnValue = '';
      }
    };
    addEventListener('beforeunload', onBeforeUnload);
    return () => removeEventListener('beforeunload', onBeforeUnload);
  }, [client, enabled]);
}

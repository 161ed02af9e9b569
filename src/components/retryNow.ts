import type { SyncClient } from '../store/types.js';

/**
 * "Retry now": reconnect the stream and pull at once, instead of waiting out the backoff.
 * Uses `client.reconnect()` where the client has it; otherwise syncs every thread the store
 * holds, which also resets the connection's backoff on success.
 */
export function retryNow(client: SyncClient): void {
  const withReconnect = client as SyncClient & { reconnect?: () => unknown };
  if (typeof withReconnect.reconnect === 'function') {
    void Promise.resolve(withReconnect.reconnect()).catch(() => {});
    return;
  }
  for (const threadId of Object.keys(client.store.getState().threads)) {
    // Failures already show in health and status; the banner has nothing to add.
    client.syncImmediately(threadId).catch(() => {});
  }
}

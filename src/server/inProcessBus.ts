import type { ServerBus, StoredEvent } from './types.js';

/**
 * The bus of a single instance: `publish` hands events to this process's subscribers at once, in
 * order. It is never down. For several instances, use createRedisBus.
 */
export function createInProcessBus(): ServerBus {
  const listeners = new Set<(event: StoredEvent) => void>();
  return {
    publish(events) {
      // A Set visits what is added during iteration and skips what is deleted: no copy needed.
      for (const event of events) for (const listener of listeners) listener(event);
      return Promise.resolve();
    },
    subscribe(listener, onStatus) {
      // Subscribe once per call even for the same function: each call gets its own unsubscribe.
      const own = (event: StoredEvent) => listener(event);
      listeners.add(own);
      onStatus?.(true);
      return () => void listeners.delete(own);
    },
    close() {
      listeners.clear();
      return Promise.resolve();
    },
  };
}

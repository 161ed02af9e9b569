import type { Environment } from './environment.js';

export interface FrameBatcher<T> {
  /** Queues an item; the batch is flushed before the next paint. */
  add(item: T): void;
  /** Drops what is queued and the pending frame. */
  cancel(): void;
}

/**
 * Collects items and hands them to `flush` together, at most once per animation frame: a model
 * streaming 200 tokens a second then costs the store one update per paint, not one per token.
 */
export function createFrameBatcher<T>(
  environment: Pick<Environment, 'requestFrame'>,
  flush: (items: T[]) => void,
): FrameBatcher<T> {
  let items: T[] = [];
  let cancelFrame: (() => void) | null = null;

  const run = () => {
    cancelFrame = null;
    if (items.length === 0) return;
    // Swap before calling out: items added by `flush` itself go to the next frame.
    const batch = items;
    items = [];
    flush(batch);
  };

  return {
    add(item) {
      items.push(item);
      if (cancelFrame === null) cancelFrame = environment.requestFrame(run);
    },
    cancel() {
      cancelFrame?.();
      cancelFrame = null;
      items = [];
    },
  };
}

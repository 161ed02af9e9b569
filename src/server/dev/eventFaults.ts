import type { FaultController } from './faults.js';

/** The faults that act on each event of a stream (`reorderRate`, `duplicateRate`, `dropAfter`). */
export interface EventFaults<T> {
  /** Sends an event through the faults: held back, sent, sent twice. */
  emit(event: T): void;
  /** A held-back event is not kept past the next frame (a keepalive too): late, never lost. */
  release(): void;
  /** `dropAfter` events went out: the connection breaks. */
  spent(): boolean;
}

/**
 * One implementation for the dev server's frames (src/server/dev/streamFaults.ts) and the fake
 * backend's events (src/testing/streamPump.ts), so a stream fails alike in memory and on the wire.
 * `deliver` sends one event; `onSpent` runs once, when the last event `dropAfter` allows went out.
 */
export function createEventFaults<T>(faults: FaultController, deliver: (event: T) => void, onSpent: () => void): EventFaults<T> {
  let delivered = 0;
  let held: { event: T } | null = null;
  let over = false;

  const spent = () => {
    const limit = faults.current().stream?.dropAfter;
    return limit !== undefined && delivered >= limit;
  };

  function send(event: T) {
    if (over) return;
    deliver(event);
    delivered++;
    if (!spent()) return;
    over = true;
    onSpent();
  }

  function release() {
    if (held === null) return;
    const late = held.event;
    held = null;
    send(late);
  }

  return {
    emit(event) {
      const s = faults.current().stream ?? {};
      if (held === null && faults.roll(s.reorderRate)) {
        held = { event };
        return;
      }
      send(event);
      if (faults.roll(s.duplicateRate)) send(event);
      release();
    },
    release,
    spent,
  };
}

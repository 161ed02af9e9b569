import type { Clock, TimerId } from '../platform/clock.js';
import type { ServerEvent } from '../protocol/wire.js';
import { coalesceEntries, nextFlushDelay, type StreamProtocol } from '../server/semantics/coalesceEntries.js';
import type { StoredEvent } from '../server/types.js';
import { createEventFaults } from '../server/dev/eventFaults.js';
import type { FaultController } from '../server/dev/faults.js';
import type { ReferenceBackend } from '../server/dev/referenceBackend.js';

/** Where a stream's frames go: the fake connector's callbacks, or an SSE response. */
export interface StreamSink {
  event(event: ServerEvent): void;
  keepalive(): void;
  /** The connection breaks (faults `offline` or `stream.dropAfter`); the pump has stopped. */
  drop(reason: 'offline' | 'dropAfter'): void;
}

export interface StreamPumpOptions {
  backend: ReferenceBackend;
  faults: FaultController;
  clock: Clock;
  /** Resume point; null streams from now. */
  cursor: string | null;
  /** Overridden by `faults.stream.keepaliveMs`; 0 sends none. */
  keepaliveMs: number;
  /**
   * How long queued entries wait so a burst goes out coalesced. 0 flushes in a microtask, which
   * keeps a fake-clock test free of timers to advance.
   */
  flushDelayMs: number;
  /** 2: patches (docs/protocol.md); 1: whole threads and deltas, as a v1 server sends. */
  protocol: StreamProtocol;
  sink: StreamSink;
}

export interface StreamPump {
  stop(): void;
}

/**
 * One open event stream, after its headers went out: replays from the cursor (or sends `reset`),
 * then live entries, keepalives and the stream faults. Shared by both peers so a test sees the
 * same stream in memory and on the wire.
 */
export function startStreamPump(options: StreamPumpOptions): StreamPump {
  const { backend, faults, clock, sink } = options;
  const read = backend.eventsSince(options.cursor);
  let queue: StoredEvent[] = read.reset ? [] : read.events;
  let pendingReset: ServerEvent | null = read.reset ? { type: 'reset', id: read.head } : null;
  let base = read.head;
  if (!read.reset && options.cursor !== null) base = options.cursor;
  const sentV = new Map<string, number>();
  let stopped = false;
  let flushTimer: TimerId | undefined;
  let microtaskQueued = false;
  let lastFlushAt = -Infinity;
  let keepaliveTimer: TimerId | undefined;

  const stream = () => faults.current().stream ?? {};

  const stop = () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    unwatch();
    if (flushTimer !== undefined) clock.clearTimeout(flushTimer);
    if (keepaliveTimer !== undefined) clock.clearTimeout(keepaliveTimer);
  };

  const drop = (reason: 'offline' | 'dropAfter') => {
    stop();
    sink.drop(reason);
  };

  const perEvent = createEventFaults<ServerEvent>(
    faults,
    (event) => {
      if (!stopped) sink.event(event);
    },
    () => drop('dropAfter'),
  );

  let delayMs = options.flushDelayMs;
  const flush = () => {
    flushTimer = undefined;
    microtaskQueued = false;
    if (stopped || stream().stall) return;
    lastFlushAt = clock.now();
    const events: ServerEvent[] = [];
    if (pendingReset) events.push(pendingReset);
    pendingReset = null;
    if (queue.length > 0) {
      const batch = queue;
      queue = [];
      events.push(...coalesceEntries(batch, sentV, base, backend.snapshot, options.protocol));
      base = batch[batch.length - 1]!.cursor;
    }
    for (const event of events) {
      if (stopped) return;
      perEvent.emit(event);
    }
    delayMs = nextFlushDelay(events, options.flushDelayMs);
  };

  const schedule = () => {
    if (stopped || flushTimer !== undefined || microtaskQueued) return;
    const wait = Math.max(0, lastFlushAt + delayMs - clock.now());
    if (options.flushDelayMs <= 0) {
      microtaskQueued = true;
      queueMicrotask(flush);
    } else {
      flushTimer = clock.setTimeout(flush, wait);
    }
  };

  const armKeepalive = () => {
    if (keepaliveTimer !== undefined) clock.clearTimeout(keepaliveTimer);
    keepaliveTimer = undefined;
    const every = stream().keepaliveMs ?? options.keepaliveMs;
    if (stopped || !(every > 0)) return;
    keepaliveTimer = clock.setTimeout(() => {
      keepaliveTimer = undefined;
      if (!stream().stall) {
        perEvent.release();
        if (!stopped) sink.keepalive();
      }
      armKeepalive();
    }, every);
  };

  const unsubscribe = backend.subscribe((entry) => {
    queue.push(entry);
    schedule();
  });

  const unwatch = faults.subscribe(() => {
    if (faults.current().offline) return drop('offline');
    if (perEvent.spent()) return drop('dropAfter');
    armKeepalive();
    if (queue.length > 0 || pendingReset) schedule();
  });

  if (perEvent.spent()) {
    // dropAfter 0: the connection breaks right after it opened; let the caller see the open first.
    queueMicrotask(() => {
      if (!stopped) drop('dropAfter');
    });
    return { stop };
  }
  armKeepalive();
  // The first keepalive goes right after the headers: a client counts a stream live from its
  // first frame, and after an outage should not wait a whole interval to know.
  queueMicrotask(() => {
    const every = stream().keepaliveMs ?? options.keepaliveMs;
    if (!stopped && !stream().stall && every > 0) sink.keepalive();
  });
  if (queue.length > 0 || pendingReset) schedule();
  return { stop };
}

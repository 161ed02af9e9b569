import { DEFAULT_RETRY, streamRetryDelay, withRetryHint, type RetryPolicy } from '../protocol/backoff.js';
import { createTimer, type Clock } from '../platform/clock.js';
import type { Environment, EnvironmentEvent } from '../platform/environment.js';
import { SyncError, toSyncError } from '../model/errors.js';
import type { HealthEvent } from './health.js';
import type { OversizedEvent, ServerEvent, SyncConnector } from '../protocol/wire.js';

export interface StreamChannelOptions {
  connector: SyncConnector;
  clock: Clock;
  environment: Environment;
  /**
   * No frame for this long and the stream counts as dead: it is torn down and reopened. Two
   * missed 3 s keepalives and a margin. @default 7000
   */
  staleAfterMs?: number;
  /**
   * Reconnect backoff: full jitter, every delay capped by `maxMs`. The server's `retry:` hint
   * may raise `baseMs` up to `maxMs`. It starts over only once a stream proved healthy: one real
   * event, or `staleAfterMs` of frames. @default { baseMs: 500, maxMs: 30000 }
   */
  retry?: RetryPolicy;
  /** The resume point for a new stream (the last cursor seen). */
  getCursor(): string | null;
  onEvent(event: ServerEvent): void;
  /** An event too large to read was skipped; the stream goes on. Time to pull what it carried. */
  onOversizedEvent?(event: OversizedEvent): void;
  onHealth(event: HealthEvent): void;
  /** The first frame of a stream other than the first one since start(): time to pull. */
  onReconnected?(): void;
  /** The stream turned live (first frame) or stopped being live. Not called by stop(). */
  onLiveChange?(live: boolean): void;
}

export interface StreamChannel {
  start(): void;
  /** Aborts the stream and clears every timer. Silent: dispatches nothing. */
  stop(): void;
  /** A stream is open and has delivered a frame within `staleAfterMs`. */
  isLive(): boolean;
  /** Opens a stream now instead of when the backoff says, unless one is open or opening. */
  reconnectNow(): void;
  /** An environment event, handed on by the client (src/client/clientSession.ts); ignored while stopped. */
  handleEnvironment(event: EnvironmentEvent): void;
}

/**
 * The event stream with its watchdog (docs/liveness.md): live from the first frame,
 * stale after `staleAfterMs` of silence, reconnected with full-jitter backoff, idle while the
 * environment is offline. A 409 on the stream is a server fault like any other: only a push is
 * fenced (docs/protocol.md).
 */
export function createStreamChannel(options: StreamChannelOptions): StreamChannel {
  const { connector, clock, environment, getCursor, onHealth } = options;
  const staleAfterMs = options.staleAfterMs ?? 7000;
  const retry = options.retry ?? DEFAULT_RETRY;
  const watchdog = createTimer(clock);
  const reconnectTimer = createTimer(clock);

  let running = false;
  /** Bumped whenever the current stream is abandoned: callbacks of older streams are ignored. */
  let generation = 0;
  let controller: AbortController | null = null;
  /** The current stream has delivered a frame. Every way of giving a stream up clears it. */
  let live = false;
  let attempts = 0;
  /** When the current stream delivered its first frame (null: none yet). */
  let liveSince: number | null = null;
  let streamsOpened = 0;
  let hintMs = 0;

  /** Schedules the next attempt, or waits for 'online'. Returns when it is due (null: waiting). */
  const planReconnect = (error: SyncError | undefined): number | null => {
    if (!environment.isOnline()) return null;
    // retry.maxMs caps every wait, a server's Retry-After and retry: included (docs/liveness.md).
    const delay = streamRetryDelay(error, attempts, withRetryHint(retry, hintMs), clock.random);
    attempts += 1;
    reconnectTimer.set(connect, delay);
    return clock.now() + delay;
  };

  const abandon = () => {
    generation += 1;
    watchdog.clear();
    controller?.abort();
    controller = null;
  };

  function connect() {
    reconnectTimer.clear();
    if (!running || !connector.openStream) return;
    if (!environment.isOnline()) {
      onHealth({ type: 'offline' }); // and wait for 'online'
      return;
    }
    const gen = ++generation;
    const ctrl = new AbortController();
    controller = ctrl;
    streamsOpened += 1;
    const reconnecting = streamsOpened > 1;
    const current = () => gen === generation && running;

    /** Gives this stream up; false when it had been given up already. */
    const giveUp = () => {
      if (!current()) return false;
      abandon();
      liveSince = null;
      if (live) {
        live = false;
        options.onLiveChange?.(false);
      }
      return true;
    };

    const armWatchdog = () =>
      watchdog.set(() => {
        if (giveUp()) onHealth({ type: 'stream-stale', nextRetryAt: planReconnect(undefined) });
      }, staleAfterMs);

    const ended = (cause: unknown) => {
      if (!giveUp()) return; // we abandoned it ourselves
      const error = toSyncError(cause, 'network', 'The event stream broke');
      const nextRetryAt = planReconnect(error);
      onHealth({ type: 'stream-failed', error, nextRetryAt, offline: !environment.isOnline() });
    };

    /** The stream proved healthy: the next failure is a fresh one, not the next of a series. */
    const healthy = () => {
      attempts = 0;
    };

    const frame = () => {
      if (!current()) return;
      armWatchdog();
      const first = !live;
      const now = clock.now();
      if (first) {
        // Not a reset of the backoff: a server that sends one keepalive and hangs up would then
        // be reconnected to in a tight loop.
        liveSince = now;
        live = true; // before anyone hears of it, so isLive() agrees with what they hear
      } else if (liveSince !== null && now - liveSince >= staleAfterMs) {
        // Frames for staleAfterMs without a gap the watchdog would have caught.
        healthy();
      }
      onHealth({ type: 'frame' });
      if (first && current()) options.onLiveChange?.(true);
      if (first && current() && reconnecting) options.onReconnected?.();
    };

    onHealth({ type: 'stream-connecting' });
    if (!current()) return;
    // Armed before the headers too: a connection attempt that hangs is as silent as a dead stream.
    armWatchdog();
    let result: Promise<void>;
    try {
      result = connector.openStream({
        cursor: getCursor(),
        signal: ctrl.signal,
        onOpen() {
          if (!current()) return;
          armWatchdog();
          onHealth({ type: 'stream-open' });
        },
        onFrame: frame,
        onEvent(event) {
          if (!live) frame(); // an event is a frame, even from a connector that forgot to say so
          if (!current()) return;
          healthy();
          options.onEvent(event);
        },
        onOversizedEvent(event) {
          if (!live) frame();
          if (current()) options.onOversizedEvent?.(event);
        },
        onRetryHint(ms) {
          // Garbage is ignored; withRetryHint caps the rest.
          if (current() && ms >= 0) hintMs = ms;
        },
      });
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      () => ended(new SyncError('network', 'The server ended the event stream; syncline reconnects by itself.')),
      ended,
    );
  }

  const onEnvironment = (event: EnvironmentEvent) => {
    // Back online: reconnect at once instead of waiting out a backoff meant for a sick server.
    if (event === 'online' && controller === null) connect();
  };

  return {
    start() {
      if (running) return;
      running = true;
      attempts = 0;
      streamsOpened = 0;
      hintMs = 0;
      if (!connector.openStream) {
        onHealth({ type: 'stream-unsupported' });
        return;
      }
      connect();
    },
    stop() {
      if (!running) return;
      running = false;
      abandon();
      reconnectTimer.clear();
      live = false;
    },
    isLive: () => live,
    handleEnvironment(event) {
      if (running) onEnvironment(event);
    },
    reconnectNow() {
      if (running && controller === null) connect();
    },
  };
}

import type { Clock } from './clock.js';
import type { Environment } from './environment.js';
import { addCause, causesOf, reasonForError, topReason, type Causes } from './healthReasons.js';
import type { DegradedReason, HealthStatus } from './types.js';

export { reasonForError } from './healthReasons.js';

/** Which request a `request-*` event is about. Pings prove reachability, not sync. */
export type HealthRequest = 'push' | 'pull' | 'ping';

/** Everything that moves the health state machine. */
export type HealthEvent =
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'stream-connecting' }
  /** Headers arrived. Not live yet: only a frame proves the stream carries data. */
  | { type: 'stream-open' }
  /** Any event or keepalive on the current stream. */
  | { type: 'frame' }
  /** The stream could not be opened, broke or ended. `offline`: the environment was offline. */
  | { type: 'stream-failed'; error: unknown; nextRetryAt: number | null; offline?: boolean }
  /** No frame for `staleAfterMs`: the stream was torn down and will be reopened. */
  | { type: 'stream-stale'; nextRetryAt: number | null }
  /** The connector has no `openStream`: polling is all there is. */
  | { type: 'stream-unsupported' }
  | { type: 'request-failed'; error: unknown; request?: HealthRequest; offline?: boolean }
  | { type: 'request-succeeded'; request?: HealthRequest }
  | { type: 'online' }
  | { type: 'offline' };

/**
 * When several causes hold at once, the first one in this list is the `degradedReason`: the one
 * the user can least work around is the one worth telling them.
 */
export const DEGRADED_PRECEDENCE: readonly DegradedReason[] = [
  'fenced',
  'auth',
  'offline',
  'server-errors',
  'stale',
  'push-unavailable',
];


export function initialHealth(now: number): HealthStatus {
  return {
    state: 'stopped',
    transport: null,
    degraded: false,
    degradedReason: null,
    degradedSince: null,
    stateEnteredAt: now,
    lastFrameAt: null,
    lastSyncedAt: null,
    reconnectAttempts: 0,
    nextRetryAt: null,
  };
}

type Fields = Pick<HealthStatus, 'transport' | 'lastFrameAt' | 'lastSyncedAt' | 'reconnectAttempts' | 'nextRetryAt'>;

function build(prev: HealthStatus, f: Fields, c: Causes, now: number): HealthStatus {
  const reason = topReason(c);
  const state: HealthStatus['state'] = c.offline
    ? 'offline'
    : f.transport === 'sse'
      ? 'live'
      : f.transport === 'polling'
        ? 'polling'
        : 'connecting';
  const next: HealthStatus = {
    state,
    transport: f.transport,
    degraded: reason !== null,
    degradedReason: reason,
    // A silent stream has been failing since its last frame, not since we noticed: the banner's
    // "for N s" and its anti-flicker delay count from then.
    degradedSince:
      reason === null ? null : (prev.degradedSince ?? (reason === 'stale' && f.lastFrameAt !== null ? f.lastFrameAt : now)),
    stateEnteredAt: state === prev.state ? prev.stateEnteredAt : now,
    lastFrameAt: f.lastFrameAt,
    lastSyncedAt: f.lastSyncedAt,
    reconnectAttempts: f.reconnectAttempts,
    nextRetryAt: f.nextRetryAt,
  };
  return sameHealth(prev, next) ? prev : next;
}

export function sameHealth(a: HealthStatus, b: HealthStatus): boolean {
  return (
    a.state === b.state &&
    a.transport === b.transport &&
    a.degraded === b.degraded &&
    a.degradedReason === b.degradedReason &&
    a.degradedSince === b.degradedSince &&
    a.stateEnteredAt === b.stateEnteredAt &&
    a.lastFrameAt === b.lastFrameAt &&
    a.lastSyncedAt === b.lastSyncedAt &&
    a.reconnectAttempts === b.reconnectAttempts &&
    a.nextRetryAt === b.nextRetryAt
  );
}

/**
 * The health state machine. Pure: returns `state` itself when nothing changed, so a caller can
 * notify on identity. Precedence of reasons: {@link DEGRADED_PRECEDENCE}. 'fenced' holds until
 * stop/start; once stopped, only `start` moves it.
 */
export function reduceHealth(state: HealthStatus, event: HealthEvent, now: number): HealthStatus {
  if (event.type === 'stop') {
    if (state.state === 'stopped') return state;
    return { ...initialHealth(now), lastFrameAt: state.lastFrameAt, lastSyncedAt: state.lastSyncedAt };
  }
  if (event.type === 'start') {
    const fresh: Causes = { fenced: false, auth: false, offline: false, serverErrors: false, stream: null };
    const f: Fields = {
      transport: null,
      lastFrameAt: state.lastFrameAt,
      lastSyncedAt: state.lastSyncedAt,
      reconnectAttempts: 0,
      nextRetryAt: null,
    };
    return build(state, f, fresh, now);
  }
  if (state.state === 'stopped') return state; // late news from a torn-down stream or request

  const c = causesOf(state);
  const f: Fields = {
    transport: state.transport,
    lastFrameAt: state.lastFrameAt,
    lastSyncedAt: state.lastSyncedAt,
    reconnectAttempts: state.reconnectAttempts,
    nextRetryAt: state.nextRetryAt,
  };
  switch (event.type) {
    case 'stream-connecting':
      f.nextRetryAt = null;
      break;
    case 'stream-open':
      break;
    case 'frame':
      f.lastFrameAt = now;
      if (state.transport !== 'sse') {
        // The first frame of a newly opened stream proves the network, the server and the
        // credentials. Later keepalives on an old connection prove less, so they clear nothing:
        // otherwise a push refused with 401 would flap against every keepalive.
        f.transport = 'sse';
        f.reconnectAttempts = 0;
        f.nextRetryAt = null;
        c.stream = null;
        c.auth = false;
        c.offline = false;
      }
      break;
    case 'stream-failed':
      f.transport = 'polling';
      f.reconnectAttempts += 1;
      f.nextRetryAt = event.nextRetryAt;
      c.stream = 'push-unavailable';
      {
        const reason = reasonForError(event.error, { offline: event.offline });
        if (reason === 'fenced' || reason === 'auth' || reason === 'offline') addCause(c, reason);
      }
      break;
    case 'stream-stale':
      f.transport = 'polling';
      f.reconnectAttempts += 1;
      f.nextRetryAt = event.nextRetryAt;
      c.stream = 'stale';
      break;
    case 'stream-unsupported':
      f.transport = 'polling';
      f.nextRetryAt = null;
      c.stream = 'push-unavailable';
      break;
    case 'request-failed':
      addCause(c, reasonForError(event.error, event));
      break;
    case 'request-succeeded':
      c.offline = false;
      if (event.request !== 'ping') {
        // A ping proves the server is reachable; only a push or pull proves that sync works.
        f.lastSyncedAt = now;
        c.auth = false;
        c.serverErrors = false;
      }
      break;
    case 'online':
      c.offline = false;
      break;
    case 'offline':
      c.offline = true;
      break;
  }
  return build(state, f, c, now);
}

export interface HealthMonitorOptions {
  clock: Clock;
  /**
   * Fills `offline` on `stream-failed` / `request-failed` events that leave it out, so a
   * network error while the browser is offline reads as 'offline'.
   */
  environment?: Environment;
  /** Called once per actual change, after the state is updated. */
  onChange?(health: HealthStatus): void;
  /** Once per transition from not degraded to degraded. */
  onDegraded?(health: HealthStatus): void;
  /** Once per transition from degraded back to healthy. Never on the first connect, nor on stop. */
  onRecovered?(health: HealthStatus): void;
}

export interface HealthMonitor {
  get(): HealthStatus;
  /** Synchronous: `get()` reflects the event when dispatch returns (same task as the failure). */
  dispatch(event: HealthEvent): void;
}

/**
 * Holds the current HealthStatus and turns reducer results into notifications: onChange once per
 * change, onDegraded / onRecovered once per transition.
 */
export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  const { clock, environment } = options;
  let current = initialHealth(clock.now());
  const queue: HealthEvent[] = [];
  let draining = false;

  const call = (fn: ((h: HealthStatus) => void) | undefined, h: HealthStatus) => {
    if (!fn) return;
    try {
      fn(h);
    } catch (error) {
      // A throwing listener must not leave the state machine half-notified; report it apart.
      queueMicrotask(() => {
        throw error;
      });
    }
  };

  const step = (event: HealthEvent) => {
    let e = event;
    if ((e.type === 'stream-failed' || e.type === 'request-failed') && e.offline === undefined && environment) {
      e = { ...e, offline: !environment.isOnline() };
    }
    const prev = current;
    const next = reduceHealth(prev, e, clock.now());
    if (next === prev) return;
    current = next;
    call(options.onChange, next);
    if (e.type === 'start' || e.type === 'stop') return; // (re)starting is neither a loss nor a recovery
    if (!prev.degraded && next.degraded) call(options.onDegraded, next);
    else if (prev.degraded && !next.degraded) call(options.onRecovered, next);
  };

  return {
    get: () => current,
    dispatch(event) {
      // Events dispatched from a listener run after the current one has notified everyone.
      queue.push(event);
      if (draining) return;
      draining = true;
      try {
        for (let e = queue.shift(); e; e = queue.shift()) step(e);
      } finally {
        draining = false;
      }
    },
  };
}

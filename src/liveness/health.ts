import type { Clock } from '../platform/clock.js';
import type { Environment } from '../platform/environment.js';
import { causesOf, reasonForError, type Causes, type HealthRequest } from './healthReasons.js';

export type { HealthRequest } from './healthReasons.js';
import type { DegradedReason, HealthStatus } from '../model/types.js';

export { reasonForError } from './healthReasons.js';


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
  | { type: 'offline' }
  /** The outbox could not store writes (they live only in memory), or can again. */
  | { type: 'storage'; failing: boolean }
  /** When the outbox sends again after a failed push; null once it sends (or has nothing to). */
  | { type: 'writes-retry'; at: number | null };

/**
 * When several causes hold at once, the first one in this list is the `degradedReason`: the one
 * the user can least work around is the one worth telling them.
 */
export const DEGRADED_PRECEDENCE: readonly DegradedReason[] = [
  'fenced',
  'auth',
  // Closing the page would lose writes: worth saying over any trouble with the connection.
  'storage',
  'offline',
  'server-errors',
  'stale',
  'stream-unavailable',
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

/** Field by field; both sides come from the reducer, so they have the same fields. */
export function sameHealth(a: HealthStatus, b: HealthStatus): boolean {
  return (Object.keys(a) as Array<keyof HealthStatus>).every((key) => a[key] === b[key]);
}

/** The stream is down for one reason at a time, or up (null). */
function setStreamCause(causes: Causes, reason: 'stale' | 'stream-unavailable' | null): void {
  causes.delete('stale');
  causes.delete('stream-unavailable');
  if (reason) causes.add(reason);
}

/**
 * The health state machine. Pure: returns `state` itself when nothing changed, so a caller can
 * notify on identity. Precedence of reasons: {@link DEGRADED_PRECEDENCE}. 'fenced' (a push
 * answered 409) holds for the life of the client, through stop and start, as the outbox it
 * stands for never sends again; once stopped, only `start` moves the state.
 */
export function reduceHealth(state: HealthStatus, event: HealthEvent, now: number): HealthStatus {
  // A fenced outbox never sends again (docs/outbox.md): stop and start cannot end that.
  const fenced = state.degradedReason === 'fenced';
  if (event.type === 'stop') {
    if (state.state === 'stopped') return state;
    const { lastFrameAt, lastSyncedAt, degradedSince } = state;
    const kept = fenced ? { degraded: true, degradedReason: 'fenced' as const, degradedSince } : {};
    return { ...initialHealth(now), lastFrameAt, lastSyncedAt, ...kept };
  }
  // Once stopped, anything but `start` is late news from a torn-down stream or request.
  if (state.state === 'stopped' && event.type !== 'start') return state;

  const causes = causesOf(state);
  const next: HealthStatus = { ...state };
  switch (event.type) {
    case 'start':
      causes.clear();
      if (fenced) causes.add('fenced');
      next.transport = null;
      next.reconnectAttempts = 0;
      next.nextRetryAt = null;
      break;
    case 'stream-connecting':
      next.nextRetryAt = null;
      break;
    case 'frame':
      next.lastFrameAt = now;
      if (state.transport !== 'sse') {
        // The first frame of a newly opened stream proves the network, the server and the
        // credentials. Later keepalives on an old connection prove less, so they clear nothing:
        // otherwise a push refused with 401 would flap against every keepalive.
        next.transport = 'sse';
        next.reconnectAttempts = 0;
        next.nextRetryAt = null;
        setStreamCause(causes, null);
        causes.delete('auth');
        causes.delete('offline');
      }
      break;
    case 'stream-failed':
    case 'stream-stale': {
      next.transport = 'polling';
      next.reconnectAttempts += 1;
      next.nextRetryAt = event.nextRetryAt;
      if (event.type === 'stream-stale') {
        setStreamCause(causes, 'stale');
        break;
      }
      setStreamCause(causes, 'stream-unavailable');
      // A stream that fails is 'stream-unavailable'; only failed requests count as 'server-errors'.
      const reason = reasonForError(event.error, event);
      if (reason !== null && reason !== 'server-errors') causes.add(reason);
      break;
    }
    case 'stream-unsupported':
      next.transport = 'polling';
      next.nextRetryAt = null;
      setStreamCause(causes, 'stream-unavailable');
      break;
    case 'request-failed': {
      const reason = reasonForError(event.error, event);
      if (reason !== null) causes.add(reason);
      break;
    }
    case 'request-succeeded':
      causes.delete('offline');
      if (event.request !== 'ping') {
        // A ping proves the server is reachable; only a push or pull proves that sync works.
        next.lastSyncedAt = now;
        causes.delete('auth');
        causes.delete('server-errors');
      }
      break;
    case 'online':
      causes.delete('offline');
      break;
    case 'offline':
      causes.add('offline');
      break;
  }

  const reason = DEGRADED_PRECEDENCE.find((r) => causes.has(r)) ?? null;
  next.state = causes.has('offline')
    ? 'offline'
    : next.transport === 'sse'
      ? 'live'
      : next.transport === 'polling'
        ? 'polling'
        : 'connecting';
  next.degraded = reason !== null;
  next.degradedReason = reason;
  // A silent stream has been failing since its last frame, not since we noticed: the banner's
  // "for N s" and its anti-flicker delay count from then.
  next.degradedSince =
    reason === null
      ? null
      : (state.degradedSince ?? (reason === 'stale' && next.lastFrameAt !== null ? next.lastFrameAt : now));
  next.stateEnteredAt = next.state === state.state ? state.stateEnteredAt : now;
  return sameHealth(state, next) ? state : next;
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
  /**
   * A storage failure is the outbox's state, not the connection's: laid over the reducer's
   * status (by DEGRADED_PRECEDENCE) rather than kept among its causes, where a stronger reason
   * would hide it and make it forgotten.
   */
  let storageSince: number | null = null;
  /** The outbox's backoff, laid over the stream's: `nextRetryAt` is the earlier of the two. */
  let writesRetryAt: number | null = null;
  let shown = current;
  const overlayStorage = (h: HealthStatus): HealthStatus =>
    storageSince === null ||
    (h.degradedReason !== null && DEGRADED_PRECEDENCE.indexOf(h.degradedReason) < DEGRADED_PRECEDENCE.indexOf('storage'))
      ? h
      : { ...h, degraded: true, degradedReason: 'storage', degradedSince: h.degradedSince ?? storageSince };
  const overlay = (h: HealthStatus): HealthStatus => {
    const o = overlayStorage(h);
    return writesRetryAt === null || (o.nextRetryAt !== null && o.nextRetryAt <= writesRetryAt)
      ? o
      : { ...o, nextRetryAt: writesRetryAt };
  };
  const queue: HealthEvent[] = [];
  let draining = false;


  const step = (event: HealthEvent) => {
    let e = event;
    if ((e.type === 'stream-failed' || e.type === 'request-failed') && e.offline === undefined && environment) {
      e = { ...e, offline: !environment.isOnline() };
    }
    const prev = shown;
    if (e.type === 'storage') storageSince = e.failing ? (storageSince ?? clock.now()) : null;
    if (e.type === 'writes-retry' || e.type === 'stop') writesRetryAt = e.type === 'stop' ? null : e.at;
    current = reduceHealth(current, e, clock.now());
    const next = overlay(current);
    if (next === prev || sameHealth(prev, next)) return;
    shown = next;
    callSafely(options.onChange, next);
    if (e.type === 'start' || e.type === 'stop') return; // (re)starting is neither a loss nor a recovery
    announceTransition(prev, next, options);
  };

  return {
    get: () => shown,
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

function callSafely(fn: ((h: HealthStatus) => void) | undefined, h: HealthStatus): void {
  if (!fn) return;
  try {
    fn(h);
  } catch (error) {
    // A throwing listener must not leave the state machine half-notified; report it apart.
    queueMicrotask(() => {
      throw error;
    });
  }
}

/**
 * `onDegraded` when health turned degraded from `prev` to `next`, `onRecovered` when it turned
 * back: the monitor's rule, and a follower's for the leader's health it mirrors (docs/tabs.md).
 */
export function announceTransition(
  prev: HealthStatus,
  next: HealthStatus,
  callbacks: Pick<HealthMonitorOptions, 'onDegraded' | 'onRecovered'>,
): void {
  if (prev.degraded !== next.degraded) callSafely(next.degraded ? callbacks.onDegraded : callbacks.onRecovered, next);
}

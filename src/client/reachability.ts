import { createTimer, type Clock } from '../platform/clock.js';
import type { Environment } from '../platform/environment.js';
import { SyncError, isSyncError } from '../model/errors.js';
import type { HealthEvent, HealthMonitor, HealthRequest } from '../liveness/health.js';
import { failureCause, probeDelay, startsProbe } from '../protocol/backoff.js';
import type { SyncConnector } from '../protocol/wire.js';

type SyncRequest = 'push' | 'pull';

/**
 * The clients of one outage come back spread over this long: their writes within 1 s, their
 * streams (long-lived, each replaying what it missed) within 2.25 s. With the probe's own spread
 * that keeps the busiest second under half of them (bench/reconnectStorm.ts), and at p95 the
 * writes within 2.5 s and the streams within 3.5 s of the server's return (bench/recovery.ts).
 */
export const RECOVERY_SPREAD_MS = { writes: 1000, stream: 2250 };

/**
 * How requests went, told to health in the same task, and the recovery after an outage: while
 * the server cannot be reached, or answers 5xx/408/429 without asking for a longer wait, a
 * `/ping` probe runs on its own backoff; the first request that gets through (a probe, a pull,
 * a push, a stream that opens) ends the outage: `onReachable` and `onStreamDue` run once each,
 * at random moments within {@link RECOVERY_SPREAD_MS}, so that the clients of one outage do not
 * all return in the same second. docs/liveness.md "Recovery".
 */
export interface Reachability {
  /** A push or pull went out: one still unanswered after `staleAfterMs` shows in health. */
  began(request: SyncRequest): void;
  /** A push or pull ended: `error` null when it succeeded. */
  report(request: SyncRequest, error: SyncError | null): void;
  /** What the event stream reports: one that opens proves the server reachable; one that could not open, maybe not. */
  streamEvent(event: HealthEvent): void;
  /** The page came back online: probe at once if the server was out of reach. */
  online(): void;
  /** Ends probing and the watch on requests; late reports are ignored until active() again. */
  stop(): void;
}

export interface ReachabilityOptions {
  connector: SyncConnector;
  clock: Clock;
  environment: Environment;
  health: HealthMonitor;
  /** Whether the client is started: nothing is probed or reported otherwise. */
  active(): boolean;
  /** How long a push or pull may go unanswered before health says so; also bounds each probe. */
  staleAfterMs: number;
  /**
   * `retry.maxMs`: caps the spread of repeated recoveries that brought no successful push or
   * pull, and a `Retry-After` the ping is answered with.
   */
  maxSpreadMs: number;
  /** The server can be reached again: send the outbox and pull. */
  onReachable(): void;
  /** The server can be reached again: reopen the stream (a little later than `onReachable`). */
  onStreamDue(): void;
}

/**
 * Where an outage is. `unreachable`: requests get no answer at all. `refusing`: the server
 * answers requests with 5xx/408/429 but the pings have not failed (yet): a ping that answers
 * proves nothing new, so it ends the probing, not the outage, and the writes keep their
 * backoff (an overloaded server is not hit harder). `refusing-pings`: the pings are refused
 * too: the next one that answers saw the server come back.
 */
type Outage = 'none' | 'unreachable' | 'refusing' | 'refusing-pings';

export function createReachability(options: ReachabilityOptions): Reachability {
  const { clock, environment, health, active, staleAfterMs } = options;
  const probeTimer = createTimer(clock);
  const recoverTimers = { writes: createTimer(clock), stream: createTimer(clock) };
  const hangTimers = { push: createTimer(clock), pull: createTimer(clock) };
  const inFlight = { push: 0, pull: 0 };
  /**
   * What the server last said to a push or pull that it answered with an error, or that it has
   * left unanswered for staleAfterMs. A pull that gets through says nothing of pushes that fail
   * (a server refusing writes): health keeps showing each until that request succeeds.
   */
  const failing = new Map<SyncRequest, SyncError>();
  let outage: Outage = 'none';
  let streamOpened = false;
  let probing = false;
  let probes = 0;
  /** What failed for want of the server; a recovery bore fruit once each has worked again. */
  const lostBy = new Set<SyncRequest | 'stream'>();
  /** Recoveries that did not bear fruit yet: each one spreads the next wider. */
  let fruitless = 0;
  /** Until when the server asked (Retry-After) the writes and the stream to wait: a recovery honours it. */
  const heldUntil = { writes: 0, stream: 0 };
  const hold = (what: 'writes' | 'stream', error: unknown) => {
    const asked = isSyncError(error) ? error.retryAfterMs : undefined;
    if (asked !== undefined && asked >= 0) heldUntil[what] = clock.now() + Math.min(asked, options.maxSpreadMs);
  };

  const succeeded = (request: HealthRequest) => health.dispatch({ type: 'request-succeeded', request });
  const failed = (request: HealthRequest, error: unknown) => health.dispatch({ type: 'request-failed', request, error });

  const hangingError = (request: SyncRequest) =>
    new SyncError(
      'timeout',
      `POST /${request} has had no answer for ${staleAfterMs} ms; syncline keeps waiting, and retries if it fails.`,
    );

  const watch = (request: SyncRequest) =>
    hangTimers[request].set(() => {
      failing.set(request, hangingError(request));
      failed(request, failing.get(request));
    }, staleAfterMs);

  function probe() {
    if (outage === 'none' || probing || !active()) return;
    // Offline, a probe cannot succeed: 'online' starts probing again.
    if (!environment.isOnline()) return;
    probing = true;
    // A probe that hangs proves nothing either: bounded whatever the connector's timeoutMs.
    const abort = new AbortController();
    const deadline = clock.setTimeout(() => abort.abort(), staleAfterMs);
    const settle = (ok: boolean, error?: unknown) => {
      clock.clearTimeout(deadline);
      probing = false;
      if (!active()) return;
      if (ok) {
        succeeded('ping');
        // The ping answered all along while other requests are refused: it cannot tell when
        // the server is back. The failing requests retry on their own backoff; the next
        // refusal probes once more, in case the pings are refused by then.
        if (outage === 'refusing') return void (outage = 'none');
        return reached();
      }
      failed('ping', error);
      if (outage === 'refusing') outage = 'refusing-pings';
      probeTimer.set(probe, probeDelay(error, probes++, options.maxSpreadMs, clock.random));
    };
    let result: Promise<void>;
    try {
      result = options.connector.ping({ signal: abort.signal });
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(() => settle(true), (error: unknown) => settle(false, error));
  }

  /** A request failed so that the probe should run (see startsProbe in src/protocol/backoff.ts). */
  function lost(by: SyncRequest | 'stream', error: unknown) {
    lostBy.add(by);
    const cause = failureCause(error) === 'unreachable' ? 'unreachable' : 'refusing';
    // No answer at all is the stronger news: any ping that answers then ends the outage.
    if (cause === 'unreachable' && outage !== 'none') outage = 'unreachable';
    if (outage !== 'none') return;
    outage = cause;
    probes = 0;
    // The first probe goes at once: it also tells 'offline' (unreachable) from 'server-errors'.
    probe();
  }

  function reached(by?: SyncRequest | 'stream') {
    if (by) lostBy.delete(by);
    if (lostBy.size === 0) fruitless = 0;
    if (outage === 'none') return;
    outage = 'none';
    probeTimer.clear();
    const widen = 2 ** Math.min(fruitless, 20);
    fruitless += 1;
    const due = { writes: options.onReachable, stream: options.onStreamDue };
    for (const what of ['writes', 'stream'] as const) {
      const spread = Math.min(options.maxSpreadMs, RECOVERY_SPREAD_MS[what] * widen);
      const held = Math.max(0, heldUntil[what] - clock.now());
      recoverTimers[what].set(() => {
        if (active()) due[what]();
      }, held + Math.floor(spread * clock.random()));
    }
  }

  return {
    began(request) {
      if (inFlight[request]++ === 0) watch(request);
    },
    report(request, error) {
      inFlight[request] = Math.max(0, inFlight[request] - 1);
      if (inFlight[request] === 0) hangTimers[request].clear();
      else watch(request);
      failing.delete(request);
      if (!active()) return;
      if (error) {
        failed(request, error);
        if (request === 'push') hold('writes', error);
        if (failureCause(error) !== 'unreachable') failing.set(request, error);
        if (startsProbe(error)) lost(request, error);
        return;
      }
      succeeded(request);
      for (const [other, otherError] of failing) failed(other, otherError);
      reached(request);
    },
    streamEvent(event) {
      if (event.type === 'stream-connecting') streamOpened = false;
      if (!active()) return;
      if (event.type === 'stream-open') {
        streamOpened = true;
        reached('stream');
      } else if (event.type === 'stream-failed' && !streamOpened) {
        hold('stream', event.error);
        if (startsProbe(event.error)) lost('stream', event.error);
      }
    },
    online() {
      probes = 0;
      probeTimer.clear();
      probe();
    },
    stop() {
      probeTimer.clear();
      for (const timer of Object.values(recoverTimers)) timer.clear();
      for (const timer of Object.values(hangTimers)) timer.clear();
      inFlight.push = inFlight.pull = 0;
      failing.clear();
      lostBy.clear();
      outage = 'none';
      fruitless = 0;
      heldUntil.writes = heldUntil.stream = 0;
    },
  };
}

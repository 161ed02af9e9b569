import type { Clock, TimerId } from '../platform/clock.js';
import { SyncError } from '../model/errors.js';
import { errorFromStatus } from '../transport/httpErrors.js';
import type { StreamOptions } from '../protocol/wire.js';
import { parseServerEvent } from '../protocol/validate.js';
import { eventData } from './eventData.js';
import type { FaultController } from '../server/dev/faults.js';
import type { ReferenceBackend } from '../server/dev/referenceBackend.js';
import { startStreamPump } from './streamPump.js';
import type { StreamProtocol } from '../server/semantics/coalesceEntries.js';
import type { StreamPump } from './streamPump.js';

const ROUTE = 'GET /events';

export interface FakeStreamContext {
  backend: ReferenceBackend;
  faults: FaultController;
  clock: Clock;
  keepaliveMs: number;
  /** What the stream speaks (docs/protocol.md); the fake answers v2, as the client asks. */
  protocol: StreamProtocol;
  closed(): boolean;
  /** Open streams, each with the function that ends it cleanly (the backend closing). */
  streams: Set<() => void>;
}

function networkError(problem: string): SyncError {
  return new SyncError('network', `${ROUTE} ${problem}. syncline reconnects with backoff and polls meanwhile.`);
}

/**
 * `connector.openStream` of the fake backend: the dev server's SSE stream without the bytes.
 * Every event goes through the same JSON and validation as on the wire, so the client never
 * holds an object of the backend.
 */
export function openFakeStream(ctx: FakeStreamContext, options: StreamOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const { signal } = options;
    if (signal.aborted) return resolve();
    let pump: StreamPump | undefined;
    let delay: TimerId | undefined;
    let ended = false;

    const end = (error?: unknown) => {
      if (ended) return;
      ended = true;
      pump?.stop();
      if (delay !== undefined) ctx.clock.clearTimeout(delay);
      signal.removeEventListener('abort', onAbort);
      ctx.streams.delete(onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => end();
    const onClose = () => end();
    signal.addEventListener('abort', onAbort, { once: true });
    ctx.streams.add(onClose);

    // A handler that throws breaks the stream, as it breaks the HTTP connector's read loop.
    const guarded = (fn: () => void) => {
      if (ended || signal.aborted) return;
      try {
        fn();
      } catch (err) {
        end(err);
      }
    };

    const open = () => {
      delay = undefined;
      if (ended) return;
      // The network may have gone between the request and its answer (latency, a microtask).
      if (ctx.faults.current().offline || ctx.closed()) return end(networkError('could not be opened: connection refused'));
      if (ctx.faults.current().stream?.refuse) return end(errorFromStatus(503, ROUTE, { now: ctx.clock.now() }));
      guarded(() => options.onOpen());
      if (ended || signal.aborted) return;
      pump = startStreamPump({
        backend: ctx.backend,
        faults: ctx.faults,
        clock: ctx.clock,
        cursor: options.cursor,
        keepaliveMs: ctx.keepaliveMs,
        protocol: options.protocol === 1 ? 1 : ctx.protocol,
        flushDelayMs: 0,
        sink: {
          event: (event) =>
            guarded(() => {
              const parsed = parseServerEvent(event.type, eventData(event), event.id);
              options.onFrame();
              if (parsed) options.onEvent(parsed);
            }),
          keepalive: () => guarded(() => options.onFrame()),
          drop: (reason) =>
            end(networkError(reason === 'offline' ? 'broke off: the network went away' : 'broke off: the connection dropped')),
        },
      });
    };

    const plan = ctx.closed() ? ({ kind: 'refuse' } as const) : ctx.faults.plan('events');
    if (plan.kind === 'refuse') {
      queueMicrotask(() => end(networkError('could not be opened: connection refused')));
    } else if (plan.kind === 'ok' && plan.delayMs > 0) {
      delay = ctx.clock.setTimeout(open, plan.delayMs);
    } else {
      queueMicrotask(open);
    }
  });
}

/**
 * A 5xx outage for the fake-clock simulations: a connector in front of another that, while a
 * refusal is set, answers every request (push, pull, ping, the stream's opening) with that
 * status, as a proxy in front of a server being deployed does, and drops the streams open when
 * it starts. The errors are the HTTP connector's own (src/transport/httpErrors.ts), so the client
 * meets what it meets over HTTP. The real-HTTP counterpart is test/integration/outageServer.ts.
 */
import { SyncError } from '../src/model/errors.js';
import type { Clock } from '../src/platform/clock.js';
import type { StreamOptions, SyncConnector } from '../src/protocol/wire.js';
import { errorFromStatus } from '../src/transport/httpErrors.js';

const ROUTES = { push: 'POST /push', pull: 'POST /pull', ping: 'GET /ping', events: 'GET /events' } as const;

export interface Refusal {
  /** 502, 503, … */
  status: number;
  /** Sent as `Retry-After` with every refusal; none when undefined. */
  retryAfterSeconds?: number;
  /** The routes refused. @default every route */
  routes?: ReadonlyArray<keyof typeof ROUTES>;
}

export interface RefusingConnector {
  connector: SyncConnector;
  /** Requests the proxy saw per route, refused ones included. */
  requests: Record<keyof typeof ROUTES, number>;
  /** Starts refusing (streams open now drop), or with null serves again. */
  refuse(refusal: Refusal | null): void;
}

export function refusingConnector(inner: SyncConnector, clock: Clock): RefusingConnector {
  let refusal: Refusal | null = null;
  const open = new Set<(error: SyncError) => void>();
  const requests = { push: 0, pull: 0, ping: 0, events: 0 };
  const refused = (route: keyof typeof ROUTES) =>
    ++requests[route] > 0 &&
    refusal &&
    (refusal.routes ?? Object.keys(ROUTES)).includes(route) &&
    errorFromStatus(refusal.status, ROUTES[route], {
      retryAfter: refusal.retryAfterSeconds === undefined ? null : String(refusal.retryAfterSeconds),
      now: clock.now(),
    });

  const openStream = (stream: StreamOptions): Promise<void> => {
    const error = refused('events');
    if (error) return Promise.reject(error);
    const own = new AbortController();
    stream.signal.addEventListener('abort', () => own.abort(), { once: true });
    return new Promise<void>((resolve, reject) => {
      const drop = (e: SyncError) => {
        open.delete(drop);
        own.abort();
        reject(e);
      };
      open.add(drop);
      inner.openStream!({ ...stream, signal: own.signal }).then(
        () => (open.delete(drop), resolve()),
        (e: unknown) => (open.delete(drop), reject(e)),
      );
    });
  };

  const connector: SyncConnector = {
    push: (request, options) => {
      const error = refused('push');
      return error ? Promise.reject(error) : inner.push(request, options);
    },
    pull: (request, options) => {
      const error = refused('pull');
      return error ? Promise.reject(error) : inner.pull(request, options);
    },
    ping: (options) => {
      const error = refused('ping');
      return error ? Promise.reject(error) : inner.ping(options);
    },
    ...(inner.openStream && { openStream }),
  };

  return {
    connector,
    requests,
    refuse(next) {
      refusal = next;
      if (!next || (next.routes && !next.routes.includes('events'))) return;
      const broke = new SyncError('network', 'The event stream broke: the proxy in front of the server restarted.');
      for (const drop of [...open]) drop(broke);
    },
  };
}

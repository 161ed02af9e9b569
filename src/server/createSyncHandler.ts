import { systemClock } from '../platform/clock.js';
import { builtinMutators } from '../model/mutators.js';
import type { PushRequest } from '../protocol/wire.js';
import { MAX_BODY_BYTES, parsePullRequest, parsePushRequest } from './requestShape.js';
import { serverMutators } from './semantics/serverMutators.js';
import { decide } from './authorize.js';
import type { Authorize, Refusal, SyncAction } from './authorize.js';
import { isCursor } from './cursor.js';
import { openEventStream } from './eventStream.js';
import { createHandlerMetrics } from './handlerMetrics.js';
import type { EventStream } from './eventStream.js';
import { createInProcessBus } from './inProcessBus.js';
import { createMemoryStore } from './memoryStore.js';
import { errorResponse, jsonResponse, readJson } from './responses.js';
import { ServerError } from './serverError.js';
import { createThreadSnapshots } from './threadSnapshots.js';
import type { SyncHandler, SyncHandlerOptions, SyncHandlerStats } from './syncHandlerTypes.js';
import { createStreamSlots } from './streamSlots.js';
import type { Caller, MutatorTable, StoredEvent, WriteResult } from './types.js';

const ROUTES = new Set(['/push', '/pull', '/events', '/ping']);
/** The methods protocol v1 uses (HEAD answers like GET); anything else is a 405 on every path. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);
const ALLOW = 'GET, POST, OPTIONS';

export function createSyncHandler(options: SyncHandlerOptions = {}): SyncHandler {
  const ownStore = options.store === undefined;
  const ownBus = options.bus === undefined;
  const store = options.store ?? createMemoryStore({ clock: options.clock });
  const bus = options.bus ?? createInProcessBus();
  const clock = options.clock ?? systemClock;
  const authorize: Authorize = options.authorize ?? (() => true);
  const authorizeTtlMs = options.authorizeTtlMs ?? 60_000;
  const headers: Readonly<Record<string, string>> = { ...options.headers };
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const onError = options.onError ?? ((error: unknown) => console.error('syncline/server:', error));
  const pushTable: MutatorTable = { ...builtinMutators, ...options.mutators };
  const writeTable: MutatorTable = { ...pushTable, ...serverMutators };
  const identify = options.identify ?? (() => null);
  const maxThreadsPerRequest = options.maxThreadsPerRequest ?? 1000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const slots = createStreamSlots(options.maxStreamsPerPrincipal ?? 16, options.maxStreams ?? 10_000);
  const streams = new Set<EventStream>();
  const stats = { bufferedBytes: 0, peakStreamBytes: 0, resets: 0 };
  let busUp = true;
  const measured = createHandlerMetrics(clock); // metrics hook (docs/metrics.md)
  let closed = false;

  const snapshot = createThreadSnapshots(store);

  const unsubscribe = bus.subscribe(
    (event: StoredEvent) => {
      measured.delivered(event); // metrics hook
      if (streams.size === 0) return;
      for (const stream of streams) stream.receive(event);
    },
    (up) => {
      busUp = up;
      // Without the bus a stream would silently miss other instances' writes: end them, and
      // refuse new ones, so clients poll (and say so) until it is back.
      if (!up) for (const stream of [...streams]) stream.close();
    },
  );

  const publish = (events: StoredEvent[]) => {
    measured.published(events); // metrics hook
    if (events.length > 0) bus.publish(events).catch(onError);
  };

  const error = (status: number, code: string, message: string) => errorResponse(status, code, message, headers);
  const refusal = (r: Refusal) => ('response' in r ? r.response : error(r.status, r.code, r.message));

  /** May this caller use the route at all? Asked before the body is read: a stranger's 1 MiB is not parsed. */
  async function checkRoute(request: Request, action: SyncAction): Promise<Response | null> {
    if (!options.authorize) return null;
    const refused = await decide(authorize, request, { action, threadId: null });
    return refused ? refusal(refused) : null;
  }

  /** Every thread the request names; the first refusal wins. */
  async function checkThreads(request: Request, action: SyncAction, threadIds: ReadonlySet<string>): Promise<Response | null> {
    if (!options.authorize) return null;
    const verdicts = await Promise.all([...threadIds].map((threadId) => decide(authorize, request, { action, threadId })));
    const refused = verdicts.find((v) => v !== null);
    return refused ? refusal(refused) : null;
  }

  /** Who sent it: `identify`'s answer, checked (a principal is a non-empty string or null). */
  async function callerOf(request: Request): Promise<Caller> {
    const principal = await identify(request);
    if (principal !== null && (typeof principal !== 'string' || principal === '')) {
      throw new TypeError('identify(request) must return a non-empty string or null (docs/server.md, "identify").');
    }
    return { principal };
  }

  /** The distinct threads a request names, or a 413 when they are more than the bound. */
  function threadsNamed(route: string, ids: Iterable<string>): Set<string> | Response {
    const distinct = new Set(ids);
    if (distinct.size <= maxThreadsPerRequest) return distinct;
    return error(
      413,
      'too-many-threads',
      `The ${route} names ${distinct.size} threads; at most ${maxThreadsPerRequest} per request (maxThreadsPerRequest). Send fewer per request.`,
    );
  }

  async function push(request: Request): Promise<Response> {
    const denied = await checkRoute(request, 'push');
    if (denied) return denied;
    const body = await readJson(request, 'push', maxBodyBytes, headers);
    if (body instanceof Response) return body;
    let parsed: PushRequest;
    try {
      parsed = parsePushRequest(body.value);
    } catch (err) {
      return error(400, 'bad-request', (err as Error).message);
    }
    const named = threadsNamed('push', parsed.mutations.map((m) => m.threadId));
    if (named instanceof Response) return named;
    const refused = await checkThreads(request, 'push', named);
    if (refused) return refused;
    const caller = await callerOf(request);
    const outcome = await measured.store(() => store.push(parsed, pushTable, caller), (o) => o.response.results.filter((r) => r.status === 'applied').length); // metrics hook
    publish(outcome.events);
    return jsonResponse(200, outcome.response, headers);
  }

  async function pull(request: Request): Promise<Response> {
    const denied = await checkRoute(request, 'pull');
    if (denied) return denied;
    const body = await readJson(request, 'pull', maxBodyBytes, headers);
    if (body instanceof Response) return body;
    let known: Map<string, number>;
    let patches: boolean;
    try {
      const parsed = parsePullRequest(body.value);
      known = new Map(Object.entries(parsed.threads));
      // Protocol v2 asked for: the ops since the version named, where smaller (docs/protocol.md).
      patches = parsed.protocol === 2;
    } catch (err) {
      return error(400, 'bad-request', (err as Error).message);
    }
    // A pull naming a thread it may not read is refused whole: filtering it out would answer
    // "no change" and leave the client showing an empty thread as if it were synced.
    const named = threadsNamed('pull', known.keys());
    if (named instanceof Response) return named;
    const refused = await checkThreads(request, 'pull', named);
    if (refused) return refused;
    return jsonResponse(200, await measured.store(() => store.pull(known, { patches })), headers); // metrics hook
  }

  async function events(request: Request, url: URL): Promise<Response> {
    if (closed || !busUp) {
      return error(503, 'unavailable', 'This server is not streaming events right now; poll, and reconnect later.');
    }
    const refused = await checkRoute(request, 'events');
    if (refused) return refused;
    const { principal } = await callerOf(request);
    const slot = slots.take(principal);
    if (slot !== 'ok') {
      const whose = slot === 'principal' ? 'this caller has' : 'this server has';
      return errorResponse(429, 'too-many-streams', `${whose} too many open event streams; close one, or retry later.`, {
        ...headers,
        'retry-after': '5',
      });
    }
    const lastEventId = request.headers.get('last-event-id');
    const cursor = lastEventId || url.searchParams.get('cursor') || null;
    // An unusable cursor is a `reset` (the store answers it), not an error: the client pulls.
    // One verdict per thread per stream, asked again after authorizeTtlMs: access revoked while
    // a stream is open stops its events within that time.
    const verdicts = new Map<string, { at: number; allowed: Promise<boolean> }>();
    const allowed = (threadId: string) => {
      const kept = verdicts.get(threadId);
      if (kept && clock.now() - kept.at < authorizeTtlMs) return kept.allowed;
      const verdict = decide(authorize, request, { action: 'events', threadId }).then(
        (r) => r === null,
        (err: unknown) => {
          onError(err);
          return false;
        },
      );
      verdicts.set(threadId, { at: clock.now(), allowed: verdict });
      return verdict;
    };
    const visible = async (threadIds: string[]) => {
      const verdicts = await Promise.all(threadIds.map(allowed));
      return new Set(threadIds.filter((_, i) => verdicts[i]));
    };
    const stream = openEventStream(
      {
        clock,
        keepaliveMs: options.keepaliveMs ?? 3000,
        retryMs: options.retryMs ?? 1000,
        maxBufferedBytes,
        replayLimit: options.replayLimit ?? 10_000,
        // A resume reads only the caller's threads, at most as many as a pull may name and as
        // many bytes as the stream may hold (docs/server.md, "The event stream").
        eventsSince: (c, limit) => store.eventsSince(c, limit, { visible, maxThreads: maxThreadsPerRequest, maxBytes: maxBufferedBytes }),
        head: () => store.head(),
        snapshot,
        allowed,
        onBuffered: (delta) => (stats.bufferedBytes += delta),
        onHeld: (bytes) => (stats.peakStreamBytes = Math.max(stats.peakStreamBytes, bytes)),
        onReset: () => stats.resets++,
        onEnd: (s) => {
          if (streams.delete(s)) slots.release(principal);
        },
        onError,
      },
      cursor !== null && isCursor(cursor) ? cursor : cursor === null ? null : '-1',
      url.searchParams.get('protocol') === '2' ? 2 : 1,
    );
    streams.add(stream);
    request.signal.addEventListener('abort', () => void stream.body.cancel().catch(() => undefined), { once: true });
    return new Response(stream.body, {
      status: 200,
      headers: {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  }

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    let path = url.pathname;
    if (basePath !== '') {
      if (path !== basePath && !path.startsWith(`${basePath}/`)) return noRoute(request.method, path);
      path = path.slice(basePath.length) || '/';
    }
    const method = request.method;
    if (!METHODS.has(method)) return errorResponse(405, 'method-not-allowed', `This server answers ${ALLOW} only.`, { ...headers, allow: ALLOW });
    // A CORS preflight: `headers` carries the app's access-control-* answers.
    if (method === 'OPTIONS' && ROUTES.has(path)) return new Response(null, { status: 204, headers });
    switch (path) {
      case '/push':
        return method === 'POST' ? push(request) : wrongMethod('POST', path);
      case '/pull':
        return method === 'POST' ? pull(request) : wrongMethod('POST', path);
      case '/events':
        return method === 'GET' ? events(request, url) : wrongMethod('GET', path);
      case '/ping':
        return method === 'GET' || method === 'HEAD' ? new Response(null, { status: 204, headers }) : wrongMethod('GET', path);
      default:
        return noRoute(method, path);
    }
  }

  const noRoute = (method: string, path: string) =>
    error(404, 'no-route', `No route ${method} ${path} (protocol v1: POST /push, POST /pull, GET /ping, GET /events).`);
  const wrongMethod = (allow: string, path: string) =>
    errorResponse(405, 'method-not-allowed', `${path} answers ${allow} only.`, { ...headers, allow });

  const handler = async (request: Request): Promise<Response> => {
    try {
      return await route(request);
    } catch (err) {
      // A 5xx body names no table, host or driver: the detail goes to onError only.
      if (err instanceof ServerError && err.status < 500) return error(err.status, err.code, err.message);
      onError(err);
      const status = err instanceof ServerError ? err.status : 500;
      return error(status, 'internal', 'The server failed to answer; syncline retries.');
    }
  };

  return Object.assign(handler, {
    async serverWrite(threadId: string, name: string, args: unknown): Promise<WriteResult> {
      const { result, events } = await store.serverWrite(threadId, name, args, writeTable);
      publish(events);
      return result;
    },
    stats: (): SyncHandlerStats => ({ openStreams: streams.size, ...stats, busUp }),
    metrics: () => measured.read({ openStreams: streams.size, ...stats, busUp }), // metrics hook
    async close() {
      if (closed) return;
      closed = true;
      for (const stream of [...streams]) stream.close();
      unsubscribe();
      if (ownBus) await bus.close();
      if (ownStore) await store.close();
    },
  });
}

import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../platform/clock.js';
import type { Clock, TimerId } from '../../platform/clock.js';
import type { Mutator } from '../../model/types.js';
import { startAutoReply, streamReply } from './assistantReply.js';
import type { AssistantReply, AutoReplyOptions } from './assistantReply.js';
import { HTML_ERROR_PAGE, createFaultController } from './faults.js';
import type { FaultRoute, Faults, RequestPlan } from './faults.js';
import { createReferenceBackend } from './referenceBackend.js';
import type { BackendStats, ReferenceBackend } from './referenceBackend.js';
import { serveAdmin } from './admin.js';
import { createSyncHandler } from '../createSyncHandler.js';
import type { SyncHandler } from '../syncHandlerTypes.js';
import { CORS_HEADERS, PREFLIGHT_HEADERS, readBody, send, sendError } from './http.js';
import { createInProcessBus } from '../inProcessBus.js';
import { createMemoryStore } from '../memoryStore.js';
import { toNodeHandler, writeResponse } from '../toNodeHandler.js';
import { injectStreamFaults } from './streamFaults.js';

export interface DevServerOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Faults in force from the start; change them with `setFaults` or `POST /admin/faults`. @default {} */
  faults?: Faults;
  /** Added to the built-in mutators; register the same ones on the client. @default {} */
  mutators?: Record<string, Mutator>;
  /** Interval of the `: ka` comment on event streams. @default 3000 */
  keepaliveMs?: number;
  /** Event-log entries kept for resuming streams; an older cursor gets `reset`. @default 10000 */
  logLimit?: number;
  /** Streamed assistant replies to user messages. @default { autoReply: false, tokens: 20, intervalMs: 50 } */
  assistant?: AutoReplyOptions;
  /** Drives latency, keepalives and replies. @default systemClock */
  clock?: Clock;
}

export interface DevServerStats {
  /** Requests received per route, failed ones included. */
  requests: Record<FaultRoute | 'admin' | 'other', number>;
  /** Mutations applied, server writes included. */
  applied: number;
  openStreams: number;
  backend: BackendStats;
}

export interface DevServer {
  /** `http://host:port`, without a trailing slash: the connector's `baseUrl`. */
  url: string;
  backend: ReferenceBackend;
  /** The protocol v1 handler it serves (createSyncHandler on the memory store): its stats, its streams. */
  handler: SyncHandler;
  /** Replaces every fault (not a merge). */
  setFaults(faults: Faults): void;
  faults(): Faults;
  stats(): DevServerStats;
  /** Streams an assistant reply into a thread (what `POST /admin/reply` does). */
  reply(threadId: string, options?: { tokens?: number; intervalMs?: number; text?: string }): AssistantReply;
  /** Ends open streams and every connection, stops timers and replies. */
  close(): Promise<void>;
}

const ROUTE_NAMES: Record<string, FaultRoute> = {
  'POST /push': 'push',
  'POST /pull': 'pull',
  'GET /ping': 'ping',
  'GET /events': 'events',
};

/**
 * A Node server speaking protocol v1 (docs/protocol.md): createSyncHandler on the memory store,
 * behind the fake backend's faults, for the demo, end-to-end tests and benchmarks. Development
 * only: no auth, CORS open to every origin.
 */
export async function createDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const clock = options.clock ?? systemClock;
  const store = createMemoryStore({ clock, logLimit: options.logLimit });
  const backend = createReferenceBackend({ engine: store.engine });
  const faults = createFaultController(options.faults, () => clock.random());
  // Every log entry, whoever wrote it (a push, a reply, a test writing on `backend`), reaches the
  // streams once and in order: the log feeds the bus, and the handler's own publishing is a no-op.
  const bus = createInProcessBus();
  const unfeed = backend.subscribe((entry) => void bus.publish([entry]));
  const handler = createSyncHandler({
    store,
    bus: { publish: () => Promise.resolve(), subscribe: bus.subscribe, close: bus.close },
    mutators: options.mutators,
    headers: CORS_HEADERS,
    keepaliveMs: options.keepaliveMs ?? 3000,
    clock,
  });
  // The stream faults wrap the handler's event stream from outside (src/server/dev/streamFaults.ts).
  const serveStream = toNodeHandler(async (request) => {
    const response = await handler(request);
    if (response.status !== 200 || response.body === null) return response;
    return new Response(injectStreamFaults(response.body, faults, clock), { status: 200, headers: response.headers });
  });
  // Node loads Request, Response and their streams on first use (tens of ms on a busy machine):
  // pay it now, not in the first request a test times with a short timeout. A body that is not
  // a pull never reaches the store.
  await (await handler(new Request('http://dev.invalid/pull', { method: 'POST', body: '[]' }))).arrayBuffer();
  const requests: DevServerStats['requests'] = { push: 0, pull: 0, ping: 0, events: 0, admin: 0, other: 0 };
  const timers = new Set<TimerId>();
  const replies = new Set<AssistantReply>();
  const stopAutoReply = options.assistant?.autoReply ? startAutoReply(backend, clock, options.assistant) : () => {};
  let closing = false;

  const stats = (): DevServerStats => {
    const b = backend.stats();
    return { requests: { ...requests }, applied: b.applied, openStreams: handler.stats().openStreams, backend: b };
  };

  const reply = (threadId: string, replyOptions: Parameters<DevServer['reply']>[1] = {}) => {
    const merged = { ...options.assistant, ...stripUndefined(replyOptions) };
    const r = streamReply(backend, clock, threadId, merged);
    replies.add(r);
    void r.done.then(() => replies.delete(r));
    return r;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const id = clock.setTimeout(() => {
        timers.delete(id);
        resolve();
      }, ms);
      timers.add(id);
    });

  /** push and pull: body, faults, then the backend (twice for a duplicate). */
  async function serveWrite(route: 'push' | 'pull', plan: RequestPlan, req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    if (body === null) return sendError(res, 413, 'too-large', 'The body is larger than 1 MiB; send fewer mutations per push.');
    if (plan.kind !== 'refuse' && plan.delayMs > 0) await sleep(plan.delayMs);
    // A client that gave up during the latency never reached the server.
    if (res.destroyed || closing) return;
    switch (plan.kind) {
      case 'refuse':
      case 'hang':
        return; // never answered: the client's timeout ends it, close() cuts it
      case 'status': {
        const headers: Record<string, string> =
          plan.retryAfterSeconds === undefined ? {} : { 'retry-after': String(plan.retryAfterSeconds) };
        const code = plan.status === 429 ? 'rate-limited' : 'unavailable';
        return sendError(res, plan.status, code, `Fault injection answered ${plan.status}.`, headers);
      }
      case 'html':
        res.writeHead(plan.status, { ...CORS_HEADERS, 'content-type': 'text/html; charset=utf-8' });
        return void res.end(HTML_ERROR_PAGE);
    }
    const request = () =>
      new Request(`http://dev.invalid/${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        body,
      });
    let response = await handler(request());
    // A proxy's retry: the same bytes again. Exactly-once must hold; the second answer is sent.
    if (plan.duplicate && response.status === 200) {
      await response.arrayBuffer();
      response = await handler(request());
    }
    if (plan.lostAnswer && response.status === 200) return void req.socket.destroy();
    await writeResponse(res, response);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    if (method === 'OPTIONS') return send(res, 204, undefined, PREFLIGHT_HEADERS);
    if (path.startsWith('/admin/')) {
      requests.admin++;
      return serveAdmin({ backend, faults, stats, reply }, req, res, path);
    }
    const route = ROUTE_NAMES[`${method} ${path}`];
    if (!route) {
      requests.other++;
      return sendError(res, 404, 'no-route', `No route ${method} ${path} (protocol v1: POST /push, POST /pull, GET /ping, GET /events).`);
    }
    requests[route]++;
    const plan = faults.plan(route);
    // Like a refused connection: no answer at all, the socket just goes away.
    if (plan.kind === 'refuse') return void req.socket.destroy();
    if (route === 'push' || route === 'pull') return serveWrite(route, plan, req, res);
    if (plan.delayMs > 0) await sleep(plan.delayMs);
    if (res.destroyed || closing) return;
    if (route === 'ping') return send(res, 204);
    if (faults.current().stream?.refuse) return sendError(res, 503, 'unavailable', 'Fault injection refused the stream.');
    serveStream(req, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendError(res, 500, 'internal', err instanceof Error ? err.message : String(err));
    });
  });
  // Streams and hanging requests are meant to stay open; keep-alive sockets serve the bench.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    backend,
    handler,
    setFaults: (next) => faults.set(next),
    faults: () => faults.faults(),
    stats,
    reply,
    async close() {
      if (closing) return;
      closing = true;
      stopAutoReply();
      for (const r of [...replies]) r.cancel();
      for (const id of timers) clock.clearTimeout(id);
      timers.clear();
      unfeed();
      await handler.close();
      await bus.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

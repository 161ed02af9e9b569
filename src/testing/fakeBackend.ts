import { systemClock } from '../platform/clock.js';
import type { Clock, TimerId } from '../platform/clock.js';
import { SyncError } from '../model/errors.js';
import { errorFromStatus } from '../transport/httpErrors.js';
import type { MutatorDefs } from '../model/mutations.js';
import type { BaseMessage, Message, Thread } from '../model/types.js';
import type { PullRequest, PullResponse, PushRequest, PushResponse, RequestOptions, StreamOptions, SyncConnector } from '../protocol/wire.js';
import { parsePullResponse, parsePushResponse, protocolError } from '../protocol/validate.js';
import { startAutoReply, streamReply } from '../server/dev/assistantReply.js';
import type { AssistantReply, AutoReplyOptions, ReplyOptions } from '../server/dev/assistantReply.js';
import { createFaultController } from '../server/dev/faults.js';
import type { FaultRoute, Faults } from '../server/dev/faults.js';
import { openFakeStream } from './fakeStream.js';
import { BackendRequestError, createReferenceBackend } from '../server/dev/referenceBackend.js';
import type { ReferenceBackend } from '../server/dev/referenceBackend.js';
import { MAX_BODY_BYTES, utf8Length } from '../server/requestShape.js';

/** `M` is the app's message type, inferred from `mutators` or given: `createFakeBackend<MyMessage>()`. */
export interface FakeBackendOptions<M extends BaseMessage = Message> {
  /** Faults in force from the start; change them with `setFaults`. @default {} (a healthy server) */
  faults?: Faults;
  /** Drives latency, timeouts, keepalives and replies. Pass the client's fake clock in tests. @default systemClock */
  clock?: Clock;
  /** Added to the built-in mutators; register the same ones on the client. @default {} */
  mutators?: MutatorDefs<M>;
  /** Bounds push, pull and ping, like the HTTP connector's `timeoutMs`. 0 turns it off. @default 10000 */
  timeoutMs?: number;
  /** Keepalive interval of the event stream. @default 3000 */
  keepaliveMs?: number;
  /** Event-log entries kept for resuming streams. @default 10000 */
  logLimit?: number;
  /**
   * The protocol the fake answers in (docs/protocol.md): 2 sends patches to a client that asks
   * (every syncline client does); 1 acts as a server from before protocol v2. @default 2
   */
  protocol?: 1 | 2;
  /** Stream an assistant reply to every user message. @default { autoReply: false } */
  assistant?: AutoReplyOptions;
}

export interface FakeBackendStats {
  /** Requests the connector received per route, the failed ones included. */
  requests: Record<FaultRoute, number>;
  openStreams: number;
}

export interface FakeBackend<M extends BaseMessage = Message> {
  /** Speaks to the backend in memory, failing exactly as the HTTP connector would against the dev server. */
  connector: SyncConnector & { openStream(options: StreamOptions): Promise<void> };
  backend: ReferenceBackend;
  /** Replaces every fault (not a merge): `setFaults({ ...fake.faults(), offline: true })` adds one. */
  setFaults(faults: Faults): void;
  faults(): Faults;
  /** The server's copy of a thread (frozen). */
  thread(id: string): Thread<M> | undefined;
  threads(): Thread<M>[];
  /** Streams an assistant reply into a thread, as the dev server's `POST /admin/reply`. */
  reply(threadId: string, options?: ReplyOptions): AssistantReply;
  stats(): FakeBackendStats;
  /** Fails requests in flight with a network error, ends open streams, stops replies. */
  close(): void;
}

const ROUTES = { push: 'POST /push', pull: 'POST /pull', ping: 'GET /ping' } as const;
type RequestRoute = keyof typeof ROUTES;

function networkError(route: string, problem: string): SyncError {
  return new SyncError('network', `${route} ${problem}. Check the connection and baseUrl; syncline retries.`);
}

/** An in-memory server for tests and stories, with the dev server's fault injection. */
export function createFakeBackend<M extends BaseMessage = Message>(options: FakeBackendOptions<M> = {}): FakeBackend<M> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // The backend runs any message shape; the app's mutators are typed for its own.
  const mutators = options.mutators as MutatorDefs | undefined;
  const protocol = options.protocol ?? 2;
  const backend = createReferenceBackend({ clock, mutators, logLimit: options.logLimit, protocol });
  const faults = createFaultController(options.faults, () => clock.random());
  const requests: Record<FaultRoute, number> = { push: 0, pull: 0, ping: 0, events: 0 };
  const inflight = new Set<() => void>();
  const streams = new Set<() => void>();
  const replies = new Set<AssistantReply>();
  const stopAutoReply = options.assistant?.autoReply ? startAutoReply(backend, clock, options.assistant) : () => {};
  let closed = false;

  /** One request through the faults. `handle` runs at most twice (a duplicate) and only once the latency passed. */
  function request<T>(route: RequestRoute, opts: RequestOptions | undefined, handle: (twice: boolean) => T): Promise<T> {
    const name = ROUTES[route];
    requests[route]++;
    const signal = opts?.signal;
    if (signal?.aborted) {
      return Promise.reject(new SyncError('network', `${name} was aborted by the caller before an answer arrived.`));
    }
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let delay: TimerId | undefined;
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        if (delay !== undefined) clock.clearTimeout(delay);
        signal?.removeEventListener('abort', onAbort);
        inflight.delete(onClose);
        settle();
      };
      const onAbort = () =>
        finish(() => reject(new SyncError('network', `${name} was aborted by the caller before an answer arrived.`)));
      const onClose = () => finish(() => reject(networkError(name, 'broke off: the server closed the connection')));
      const timer =
        timeoutMs > 0 && Number.isFinite(timeoutMs)
          ? clock.setTimeout(
              () =>
                finish(() =>
                  reject(new SyncError('timeout', `${name} got no complete answer within ${timeoutMs} ms; syncline retries.`)),
                ),
              timeoutMs,
            )
          : undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      inflight.add(onClose);

      const plan = closed ? ({ kind: 'refuse' } as const) : faults.plan(route);
      const answer = () => {
        delay = undefined;
        if (done) return; // the client gave up before the request reached the server
        switch (plan.kind) {
          case 'refuse':
          case 'hang':
            return; // only the timeout or the caller's abort ends it
          case 'status': {
            const retryAfter = plan.retryAfterSeconds === undefined ? null : String(plan.retryAfterSeconds);
            return finish(() => reject(errorFromStatus(plan.status, name, { retryAfter, now: clock.now() })));
          }
          case 'html':
            return finish(() =>
              reject(
                plan.status >= 200 && plan.status < 300
                  ? protocolError(name, `the answer is text/html instead of application/json (status ${plan.status}; often a proxy's or captive portal's page)`)
                  : errorFromStatus(plan.status, name, { now: clock.now() }),
              ),
            );
          case 'ok': {
            let value: T;
            try {
              value = handle(plan.duplicate);
            } catch (err) {
              return finish(() => reject(err));
            }
            if (plan.lostAnswer) return finish(() => reject(networkError(name, 'broke off while its answer was read')));
            return finish(() => resolve(value));
          }
        }
      };
      if (plan.kind === 'refuse') {
        queueMicrotask(() => finish(() => reject(networkError(name, 'could not be sent: connection refused'))));
      } else if (plan.delayMs > 0) {
        delay = clock.setTimeout(answer, plan.delayMs);
      } else {
        queueMicrotask(answer);
      }
    });
  }

  /** The body as the server would receive it: serialised, size-checked, parsed, never shared. */
  function serve(route: RequestRoute, body: unknown, twice: boolean, call: (body: unknown) => unknown): unknown {
    const name = ROUTES[route];
    const wire = JSON.stringify(body);
    if (utf8Length(wire) > MAX_BODY_BYTES) throw errorFromStatus(413, name, { now: clock.now() });
    try {
      let answer = call(JSON.parse(wire));
      if (twice) answer = call(JSON.parse(wire));
      return JSON.parse(JSON.stringify(answer));
    } catch (err) {
      if (err instanceof BackendRequestError) throw errorFromStatus(err.status, name, { now: clock.now() });
      throw err;
    }
  }

  const connector: FakeBackend['connector'] = {
    push(req: PushRequest, opts?: RequestOptions): Promise<PushResponse> {
      return request('push', opts, (twice) => parsePushResponse(serve('push', req, twice, backend.push), req));
    },
    pull(req: PullRequest, opts?: RequestOptions): Promise<PullResponse> {
      return request('pull', opts, (twice) => parsePullResponse(serve('pull', req, twice, backend.pull)));
    },
    ping(opts?: RequestOptions): Promise<void> {
      return request('ping', opts, () => undefined);
    },
    openStream(streamOptions: StreamOptions): Promise<void> {
      requests.events++;
      return openFakeStream(
        { backend, faults, clock, keepaliveMs: options.keepaliveMs ?? 3000, protocol, closed: () => closed, streams },
        streamOptions,
      );
    },
  };

  return {
    connector,
    backend,
    setFaults: (next) => faults.set(next),
    faults: () => faults.faults(),
    thread: (id) => backend.thread(id) as Thread<BaseMessage> as Thread<M> | undefined,
    threads: () => backend.threads() as Thread<BaseMessage>[] as Thread<M>[],
    reply(threadId, replyOptions) {
      const reply = streamReply(backend, clock, threadId, replyOptions);
      replies.add(reply);
      void reply.done.then(() => replies.delete(reply));
      return reply;
    },
    stats: () => ({ requests: { ...requests }, openStreams: streams.size }),
    close() {
      if (closed) return;
      closed = true;
      stopAutoReply();
      for (const reply of [...replies]) reply.cancel();
      for (const kill of [...inflight]) kill();
      for (const end of [...streams]) end();
    },
  };
}

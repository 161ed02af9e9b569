import { systemClock } from '../platform/clock.js';
import type { Clock } from '../platform/clock.js';
import { describeError, SyncError } from '../model/errors.js';
import { errorFromStatus } from './httpErrors.js';
import { createSameOriginFetch, discardBody } from './sameOriginFetch.js';
import { DEFAULT_MAX_EVENT_BYTES } from './sseLimit.js';
import { readEventStream, streamError } from './sseStream.js';
import type { PullRequest, PullResponse, PushRequest, PushResponse, RequestOptions, StreamOptions, SyncConnector } from '../protocol/wire.js';
import { parsePullResponse, parsePushResponse, protocolError } from '../protocol/validate.js';

export interface HttpConnectorOptions {
  /** Where the protocol v1 routes live, e.g. `https://api.example.com/sync`. */
  baseUrl: string;
  /**
   * Asked before every request, and once more after a 401/403 (then the request is retried once),
   * so a refreshed token is picked up. Never stored with the outbox.
   * @default no extra headers
   */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** @default globalThis.fetch, read at call time (so test polyfills and mocks apply) */
  fetch?: typeof fetch;
  /**
   * Bounds push, pull and ping, from asking `headers()` to the last byte of the answer. Not the
   * event stream, whose liveness is judged by `liveness.staleAfterMs`. `0` turns it off.
   * @default 10000
   */
  timeoutMs?: number;
  /** @default systemClock */
  clock?: Clock;
  /**
   * The largest event the stream reads, in bytes. A larger one is skipped as it arrives (never
   * held), and the client pulls the thread it was about instead.
   * @default 8388608 (8 MiB)
   */
  maxEventBytes?: number;
  /**
   * The largest answer to a push or pull, in bytes: a larger one (declared or as it arrives) is a
   * protocol error, so an endless body cannot exhaust memory. Leave room for your largest threads.
   * @default 134217728 (128 MiB)
   */
  maxBodyBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

type HeaderMap = Record<string, string>;

function mediaType(res: Response): string {
  return (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** An answer of the wrong kind, most likely not from a syncline server at all. */
function unexpectedAnswer(res: Response, route: string, expected: string): SyncError {
  discardBody(res);
  return protocolError(
    route,
    `the answer is ${mediaType(res) || 'without a content-type'} ` +
      `instead of ${expected} (status ${res.status}; often a proxy's or captive portal's page)`,
  );
}

function abortedError(route: string, cause?: unknown): SyncError {
  return new SyncError('network', `${route} was aborted by the caller before an answer arrived.`, {
    cause,
  });
}

/** Rejects as soon as `signal` aborts, so a hanging `headers()` cannot outlive the timeout. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Speaks wire protocol v2, and understands v1 answers (docs/protocol.md), over `fetch`. Every method rejects with a SyncError. */
export function createHttpConnector(options: HttpConnectorOptions): SyncConnector {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Called detached: `options.fetch(...)` would bind `this` to options, and the browser's own
  // fetch throws "Illegal invocation" when called with any other `this`.
  const fetchSameOrigin = createSameOriginFetch(() => options.fetch ?? globalThis.fetch, baseUrl);

  async function askHeaders(route: string): Promise<HeaderMap> {
    try {
      return (await options.headers?.()) ?? {};
    } catch (err) {
      if (err instanceof SyncError) throw err;
      // Usually a token refresh that failed; asking again on the next attempt may well succeed.
      throw new SyncError('auth', `headers() failed before ${route}: ${describeError(err)}. syncline asks again on retry.`, {
        retryable: true,
        cause: err,
      });
    }
  }

  /**
   * One fetch of `route` (`METHOD /path`, as messages name it) with fresh headers; after a 401/403
   * asks `headers()` again and retries once. Any other answer but a 2xx becomes its SyncError.
   */
  async function send(route: string, init: RequestInit, own: HeaderMap, signal: AbortSignal, query = '') {
    const [method, path] = route.split(' ');
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers(await untilAborted(askHeaders(route), signal));
      for (const [name, value] of Object.entries(own)) headers.set(name, value);
      const res = await fetchSameOrigin(`${baseUrl}${path}${query}`, { ...init, method, headers, signal }, route);
      if (res.ok) return res;
      discardBody(res);
      if (attempt > 0 || (res.status !== 401 && res.status !== 403)) {
        throw errorFromStatus(res.status, route, { retryAfter: res.headers.get('retry-after'), now: clock.now() });
      }
    }
  }

  /** A bounded request: timeout and the caller's signal both abort it; failures become SyncErrors. */
  async function call<T>(
    route: string,
    init: RequestInit,
    own: HeaderMap,
    opts: RequestOptions | undefined,
    read: (res: Response) => Promise<T>,
  ): Promise<T> {
    const outer = opts?.signal;
    if (outer?.aborted) throw abortedError(route, outer.reason);
    const controller = new AbortController();
    let stoppedBy: 'timeout' | 'caller' | undefined;
    const onCallerAbort = () => {
      stoppedBy ??= 'caller';
      controller.abort(outer?.reason);
    };
    outer?.addEventListener('abort', onCallerAbort, { once: true });
    const timer =
      timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? clock.setTimeout(() => {
            stoppedBy ??= 'timeout';
            controller.abort();
          }, timeoutMs)
        : undefined;
    let phase = 'could not be sent';
    try {
      const res = await send(route, { ...init, keepalive: opts?.keepalive }, own, controller.signal);
      phase = 'broke off while its answer was read';
      return await read(res);
    } catch (err) {
      if (err instanceof SyncError) throw err;
      if (stoppedBy === 'timeout') {
        throw new SyncError('timeout', `${route} got no complete answer within ${timeoutMs} ms; syncline retries.`, {
          cause: err,
        });
      }
      if (stoppedBy === 'caller') throw abortedError(route, err);
      throw new SyncError(
        'network',
        `${route} ${phase}: ${describeError(err)}. Check the connection and baseUrl; syncline retries.`,
        { cause: err },
      );
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      outer?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** The body as text, refused once past maxBodyBytes (declared or counted as it arrives). */
  async function readText(res: Response, route: string): Promise<string> {
    const max = options.maxBodyBytes ?? 128 * 1024 * 1024;
    const tooLarge = () => protocolError(route, `an answer over maxBodyBytes (${max} bytes)`);
    if (Number(res.headers.get('content-length')) > max) {
      discardBody(res);
      throw tooLarge();
    }
    const reader = res.body?.getReader();
    if (!reader) return '';
    const decoder = new TextDecoder();
    let text = '';
    for (let bytes = 0; ; ) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      bytes += value.length;
      if (bytes > max) {
        reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      text += decoder.decode(value, { stream: true });
    }
  }

  /** Reads a JSON body whole; anything but JSON is a protocol error, never a partial result. */
  async function readJson(res: Response, route: string): Promise<unknown> {
    const type = mediaType(res);
    if (type !== 'application/json' && !type.endsWith('+json')) throw unexpectedAnswer(res, route, 'application/json');
    const text = await readText(res, route);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw protocolError(route, `the answer is not valid JSON (${text.length} characters; truncated?)`, err);
    }
  }

  const json = { 'content-type': 'application/json', accept: 'application/json' };
  // Every GET here asks the server itself: a cached ping or stream would report a dead server alive.
  const fresh: RequestInit = { cache: 'no-store' };

  return {
    push(request: PushRequest, opts?: RequestOptions): Promise<PushResponse> {
      const route = 'POST /push';
      return call(route, { body: JSON.stringify(request) }, json, opts, async (res) =>
        parsePushResponse(await readJson(res, route), request),
      );
    },

    pull(request: PullRequest, opts?: RequestOptions): Promise<PullResponse> {
      const route = 'POST /pull';
      return call(route, { body: JSON.stringify(request) }, json, opts, async (res) =>
        parsePullResponse(await readJson(res, route)),
      );
    },

    ping(opts?: RequestOptions): Promise<void> {
      const route = 'GET /ping';
      return call(route, fresh, {}, opts, async (res) => {
        // A captive portal answers 200 with its own page (often after a redirect): not our server.
        const ours = res.status === 204 || (res.status === 200 && !mediaType(res).includes('html'));
        if (!ours) throw unexpectedAnswer(res, route, '204');
        discardBody(res);
      });
    },

    async openStream(stream: StreamOptions): Promise<void> {
      const route = 'GET /events';
      const { signal, cursor } = stream;
      if (signal.aborted) return;
      const own: HeaderMap = { accept: 'text/event-stream' };
      if (cursor !== null) own['last-event-id'] = cursor;
      // A v1 server ignores `protocol` and keeps sending `delta` events, which the client still applies.
      const asked = stream.protocol === 1 ? '' : 'protocol=2';
      const resume = cursor === null ? '' : `cursor=${encodeURIComponent(cursor)}`;
      const query = `?${[asked, resume].filter(Boolean).join('&')}`;
      let res: Response;
      try {
        // No timeout here: a stream is meant to stay open; its silence is judged by the caller.
        res = await send(route, fresh, own, signal, query);
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof SyncError) throw err;
        throw streamError('could not be opened', err);
      }
      if (mediaType(res) !== 'text/event-stream') throw unexpectedAnswer(res, route, 'text/event-stream');
      if (signal.aborted) {
        discardBody(res);
        return;
      }
      stream.onOpen();
      if (!res.body) return;
      await readEventStream(res.body, stream, options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
    },
  };
}

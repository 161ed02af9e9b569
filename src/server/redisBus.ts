import { isRecord } from '../model/isRecord.js';
import { describePatchProblem } from '../protocol/validate.js';
import type { ServerBus, StoredEvent } from './types.js';
import { importOptionalPeer } from './optionalPeer.js';

/** The part of a node-redis (v5+) client the bus uses. */
export interface RedisClientLike {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  duplicate(): RedisClientLike;
  on(event: 'error' | 'ready' | 'reconnecting' | 'end', listener: () => void): unknown;
  destroy(): void;
}

export interface RedisBusOptions {
  /** `redis://host:port`: the bus opens (and closes) its own two connections. Needs the `redis` package. */
  url?: string;
  /**
   * A connected node-redis client of the app's. The bus publishes through it and
   * subscribes on a `duplicate()` of its own; `close()` leaves the app's client open.
   */
  client?: RedisClientLike;
  /** The pub/sub channel; instances of one deployment share it. @default 'syncline:events' */
  channel?: string;
  /** Longest wait between reconnect attempts (exponential from 50 ms, with jitter). @default 2000 */
  maxReconnectDelayMs?: number;
  /** How long `publish` waits for Redis before it rejects (the entries stay queued). @default 1000 */
  publishTimeoutMs?: number;
  /**
   * Entries kept while Redis is away, sent in order once it is back (after two reconnect delays,
   * or with the next publish); past this many the oldest are dropped. @default 10000
   */
  maxQueued?: number;
}

const isEvent = (value: unknown): value is StoredEvent =>
  isRecord(value) &&
  typeof value.cursor === 'string' &&
  /^\d{1,15}$/.test(value.cursor) &&
  typeof value.threadId === 'string' &&
  Number.isSafeInteger(value.v) &&
  (value.type === 'thread' ||
    (value.type === 'patch' && describePatchProblem({ threadId: value.threadId, fromV: Number(value.v) - 1, v: value.v, ops: value.ops }) === undefined) ||
    (value.type === 'delta' && typeof value.messageId === 'string' && typeof value.text === 'string'));

/** The events of one published message; anything malformed (another publisher's junk) is dropped. */
function parseMessage(message: string): StoredEvent[] {
  try {
    const value: unknown = JSON.parse(message);
    return Array.isArray(value) ? value.filter(isEvent) : [];
  } catch {
    return [];
  }
}

async function clientFor(url: string, maxDelay: number): Promise<RedisClientLike> {
  const redis = await importOptionalPeer('redis').catch(() => {
    throw new Error('createRedisBus({ url }) needs the "redis" package: npm install redis');
  });
  return redis.createClient({
    url,
    // Commands fail at once while disconnected instead of queueing: the bus keeps its own
    // bounded queue and reports the outage.
    disableOfflineQueue: true,
    // A half-open connection (a host that vanished) is found within a few seconds.
    pingInterval: 5000,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries: number) => Math.round(Math.min(50 * 2 ** retries, maxDelay) * (0.5 + Math.random() / 2)),
    },
  }) as unknown as RedisClientLike;
}

/**
 * The ServerBus on Redis pub/sub (docs/server.md): every instance publishes the entries its
 * pushes appended and hears everyone's. Pub/sub keeps nothing: while the subscription is down,
 * listeners get `onStatus(false)` (the handler ends its streams, clients poll) and
 * `onStatus(true)` once it is back (streams resume from the store's shared log).
 */
export function createRedisBus(options: RedisBusOptions): ServerBus {
  const channel = options.channel ?? 'syncline:events';
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const publishTimeout = options.publishTimeoutMs ?? 1000;
  const maxQueued = options.maxQueued ?? 10_000;
  const listeners = new Set<{ onEvent(e: StoredEvent): void; onStatus?(up: boolean): void }>();
  /** 'subscribing' until the first SUBSCRIBE is confirmed; then 'up' or 'down' with the connection. */
  let phase: 'subscribing' | 'up' | 'down' | 'closed' = 'subscribing';
  // Messages waiting for the publisher: one per publish call, in order.
  const queue: { message: string; size: number; done: Set<(err?: Error) => void> }[] = [];
  let queued = 0;
  let flushing = false;
  let backlogTimer: ReturnType<typeof setTimeout> | undefined;

  const setUp = (next: boolean) => {
    if (phase === 'closed' || (phase === 'up') === next) return;
    phase = next ? 'up' : 'down';
    for (const l of [...listeners]) l.onStatus?.(next);
  };

  const made = (async () => {
    const pub = options.client ?? (options.url ? await clientFor(options.url, maxDelay) : undefined);
    if (!pub) throw new TypeError('createRedisBus needs { url } or { client }.');
    const sub = pub.duplicate();
    // node-redis emits 'error' on every failed (re)connect; unhandled, it would end the process.
    for (const c of options.client ? [sub] : [pub, sub]) c.on('error', () => {});
    sub.on('ready', () => phase !== 'subscribing' && setUp(true)); // after node-redis has subscribed again
    sub.on('reconnecting', () => setUp(false));
    sub.on('end', () => setUp(false));
    // Pub/sub keeps nothing: wait about two reconnect delays before sending what queued up, so
    // the other instances, reconnecting on the same backoff, are likely subscribed again. Best
    // effort: streams resume from the store anyway. A publish still waiting for its answer sends
    // at once, queue first: the publisher reconnects on its own backoff, often after the
    // subscriber, and a publish made in between would otherwise wait out the backlog's delay
    // (4 s by default) past its publishTimeoutMs (1 s) and fail though Redis is back.
    pub.on('ready', () => {
      clearTimeout(backlogTimer);
      const awaited = queue.some((entry) => entry.done.size > 0);
      backlogTimer = setTimeout(() => void flush(), awaited ? 0 : 2 * maxDelay);
      backlogTimer.unref?.();
    });
    return { pub, sub };
  })();
  const connected = made.then(async ({ pub, sub }) => {
    const deliver = (message: string) => {
      for (const event of parseMessage(message)) for (const l of [...listeners]) l.onEvent(event);
    };
    if (!options.client) await pub.connect();
    await sub.connect();
    await sub.subscribe(channel, deliver);
    if (phase === 'subscribing') phase = 'down';
    setUp(sub.isReady);
    return { pub, sub };
  });
  // Failures surface through publish and onStatus, never as an unhandled rejection; node-redis
  // keeps retrying a first connect that fails, and the bus says down until it succeeds.
  made.catch(() => {});
  connected.catch(() => {});

  const isClosed = () => phase === 'closed';

  async function flush() {
    if (flushing || phase === 'closed') return;
    flushing = true;
    try {
      const { pub } = await connected;
      // close() may run during any await here.
      while (queue.length > 0 && pub.isReady && !isClosed()) {
        const head = queue[0]!;
        try {
          await pub.publish(channel, head.message);
        } catch {
          break; // still away: 'ready' calls flush again
        }
        queue.shift();
        queued -= head.size;
        for (const done of head.done) done();
      }
    } catch {
      // no client: every publish reports it
    } finally {
      flushing = false;
    }
  }

  return {
    publish(events) {
      if (events.length === 0) return Promise.resolve();
      if (phase === 'closed') return Promise.reject(new Error('The Redis bus is closed.'));
      const entry = { message: JSON.stringify(events), size: events.length, done: new Set<(err?: Error) => void>() };
      queue.push(entry);
      queued += entry.size;
      while (queued > maxQueued && queue.length > 1) {
        const dropped = queue.shift()!;
        queued -= dropped.size;
        for (const done of dropped.done) done(new Error('Redis was away too long: entries dropped from the publish queue.'));
      }
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          entry.done.delete(settle);
          reject(new Error(`Redis did not take the entries within ${publishTimeout} ms; they stay queued.`));
        }, publishTimeout);
        const settle = (err?: Error) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        };
        entry.done.add(settle);
        connected.then(() => flush(), (err: Error) => settle(err));
      });
    },

    subscribe(onEvent, onStatus) {
      const listener = { onEvent, onStatus };
      listeners.add(listener);
      if (phase !== 'up') queueMicrotask(() => listeners.has(listener) && phase !== 'up' && onStatus?.(false));
      return () => listeners.delete(listener);
    },

    async close() {
      if (phase === 'closed') return;
      phase = 'closed';
      clearTimeout(backlogTimer);
      listeners.clear();
      const opened = await made.catch(() => undefined);
      if (opened) {
        opened.sub.destroy();
        if (!options.client) opened.pub.destroy();
      }
      for (const entry of queue.splice(0)) for (const done of entry.done) done(new Error('The Redis bus is closed.'));
    },
  };
}

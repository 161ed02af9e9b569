import { DEFAULT_RETRY } from '../core/backoff.js';
import { systemClock } from '../core/clock.js';
import { defaultStorage } from '../core/defaultStorage.js';
import { createBrowserEnvironment, type EnvironmentEvent } from '../core/environment.js';
import { toSyncError } from '../core/errors.js';
import { createHealthMonitor, sameHealth } from '../core/health.js';
import { builtinMutators } from '../core/mutators.js';
import { createOutbox } from '../core/outbox.js';
import { createPoller } from '../core/poller.js';
import { createPushChannel } from '../core/pushChannel.js';
import type { HealthStatus, PendingWrite, ThreadSyncStatus } from '../core/types.js';
import { createStoreCommitter } from './commit.js';
import { createSyncStore } from './createSyncStore.js';
import { prepareWrite } from './prepareWrite.js';
import { createRequestReporter } from './reachability.js';
import { UNKNOWN_STATUS } from './deriveStatus.js';
import { createStreamSink } from './streamSink.js';
import { groupPending } from './groupPending.js';
import { createInterest } from './interest.js';
import { createThreadBook } from './threadBook.js';
import type { SyncClient, SyncClientOptions } from './types.js';

const EMPTY: PendingWrite[] = [];

/**
 * The sync client: an outbox, an optimistic view, a poller and a push stream feeding one zustand
 * store. Call `start()` to go online (the React provider does it on mount).
 */
export function createSyncClient(options: SyncClientOptions): SyncClient {
  const { connector } = options;
  const clock = options.clock ?? systemClock;
  const environment = options.environment ?? createBrowserEnvironment(clock);
  const namespace = options.namespace ?? 'default';
  const mutators = { ...builtinMutators, ...options.mutators };
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const batch = { windowMs: 100, maxItems: 50, maxBytes: 256 * 1024, ...options.batch };

  const book = createThreadBook(mutators);
  const interest = createInterest();
  let pulling = new Set<string>();
  let pushing = new Set<string>();
  let cursor: string | null = null;
  let started = false;
  let disposed = false;
  let clientLastSyncedAt: number | null = null;
  let pullTimer: unknown = null;
  let unsubscribeEnvironment: (() => void) | null = null;
  let warnedStorage = false;

  // Keepalives move `lastFrameAt` every few seconds; that alone is not worth waking the UI for.
  // It rides along with the next real change (getHealthStatus() is always exact).
  let publishedHealth: HealthStatus | null = null;
  const health = createHealthMonitor({
    clock,
    onChange: (h) => {
      if (!publishedHealth || !sameHealth({ ...h, lastFrameAt: publishedHealth.lastFrameAt }, publishedHealth)) commit();
    },
    onDegraded: (h) => options.onDegraded?.(h),
    onRecovered: (h) => options.onRecovered?.(h),
  });
  const store = createSyncStore(health.get());
  const committer = createStoreCommitter({
    store,
    book,
    pending: () => outbox.list(),
    inFlight: (id) => pushing.has(id) || pulling.has(id),
    anyInFlight: () => pushing.size > 0 || pulling.size > 0,
    online: () => environment.isOnline() && health.get().state !== 'offline',
    clientLastSyncedAt: () => clientLastSyncedAt,
    health: () => (publishedHealth = health.get()),
  });
  const commit = committer.schedule;

  const report = createRequestReporter({ connector, health, environment, active: () => started });
  const threadWrites = (threadId: string) => store.getState().pendingByThread[threadId] ?? EMPTY;
  const pendingOf = (threadId: string) => groupPending(outbox.list()).get(threadId) ?? EMPTY;

  const outbox = createOutbox({
    connector,
    storage: options.storage ?? defaultStorage(),
    namespace,
    ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
    clock,
    batch,
    retry,
    maxPending: options.maxPending ?? 10_000,
    ownerAlive: async (clientId) => (await environment.isLockHeld?.(lockName(clientId))) ?? false,
    listener: {
      changed: () => commit(),
      acked(items) {
        const now = clock.now();
        const stale = new Set<string>();
        for (const { write, v } of items) {
          if (book.acknowledge(write, v)) stale.add(write.threadId);
          book.markSynced(write.threadId, now);
        }
        for (const threadId of stale) book.recompute(threadId, pendingOf(threadId));
        clientLastSyncedAt = now;
        // The confirmed thread arrives over the stream when it is live; otherwise go and get it.
        if (!pushChannel.isLive()) pullSoon();
      },
      failed(items) {
        for (const { write, error } of items) {
          book.recompute(write.threadId, pendingOf(write.threadId));
          options.onRollback?.(write, error);
        }
      },
      discarded(writes) {
        for (const write of writes) book.recompute(write.threadId, pendingOf(write.threadId));
      },
      pushStarted(threadIds) {
        pushing = threadIds;
      },
      pushEnded(_threadIds, error) {
        pushing = new Set();
        report('push', error);
      },
      storageError(error) {
        if (warnedStorage) return;
        warnedStorage = true;
        console.error(`[syncline] ${error.message} Writes stay in memory and are still sent.`);
      },
    },
  });

  /** Every thread the next pull covers, with the version we hold: of interest, or with writes in play. */
  function pullTargets(): Record<string, number> {
    const inPlay = outbox.list().map((w) => w.threadId);
    for (const id of book.ids()) if (book.hasAcked(id)) inPlay.push(id);
    const known: Record<string, number> = {};
    for (const id of interest.take(inPlay)) known[id] = book.knownVersion(id);
    return known;
  }

  async function pull(): Promise<void> {
    const known = pullTargets();
    const ids = Object.keys(known);
    if (ids.length === 0 || disposed) return;
    pulling = new Set(ids);
    commit();
    try {
      const response = await connector.pull({ clientId: outbox.clientId, cursor, threads: known });
      if (disposed) return;
      cursor = response.cursor;
      for (const thread of response.threads) {
        if (book.receive(thread)) book.recompute(thread.id, pendingOf(thread.id));
      }
      const now = clock.now();
      for (const id of ids) book.markSynced(id, now);
      clientLastSyncedAt = now;
      pulling = new Set();
      report('pull', null);
    } catch (caught) {
      pulling = new Set();
      const error = toSyncError(caught, 'network', 'The pull failed');
      report('pull', error);
      throw error;
    } finally {
      commit();
    }
  }

  const stream = createStreamSink({
    clock,
    environment,
    book,
    tracks: (threadId) => interest.isWatched(threadId) || book.has(threadId),
    pendingOf,
    commit: () => commit(),
    onGap: (threadId) => {
      interest.ask(threadId);
      pullSoon();
    },
  });

  const poller = createPoller({
    clock,
    environment,
    activeMs: options.poll?.activeMs ?? 5000,
    idleMs: options.poll?.idleMs ?? 60_000,
    retry,
    pull,
    isPushLive: () => pushChannel.isLive(),
  });

  const pushChannel = createPushChannel({
    connector,
    clock,
    environment,
    staleAfterMs: options.liveness?.staleAfterMs ?? 7000,
    retry,
    getCursor: () => cursor,
    onHealth: (event) => {
      health.dispatch(event);
      poller.pushStateChanged();
    },
    onReconnected: () => pullSoon(),
    // Events may have been missed while the stream died: catch up at once, then poll.
    onLiveChange: (live) => {
      poller.pushStateChanged();
      if (!live) pullSoon();
    },
    onEvent(event) {
      if (event.id !== null) cursor = event.id;
      if (event.type === 'reset') pullSoon();
      else stream.add(event);
    },
  });

  /** Coalesces pulls asked for in the same task (several watches, several acks). */
  function pullSoon() {
    if (pullTimer !== null || !started) return;
    pullTimer = clock.setTimeout(() => {
      pullTimer = null;
      poller.pullNow().catch(() => {});
    }, 0);
  }

  function onEnvironment(event: EnvironmentEvent) {
    if (event === 'online') {
      health.dispatch({ type: 'online' });
      outbox.retryNow();
    }
    else if (event === 'offline') health.dispatch({ type: 'offline' });
    else if (event === 'pagehide') outbox.sendOnPageHide();
  }

  // This client's writes are its own while it lives: other tabs see the lock and leave them.
  const lockName = (clientId: string) => `syncline:${namespace}:${clientId}`;
  const releaseLock = environment.holdLock?.(lockName(outbox.clientId));
  const ready = outbox.load().then(() => {
    const ids = new Set(outbox.list().map((w) => w.threadId));
    for (const id of ids) book.recompute(id, pendingOf(id));
    commit();
  });

  function status(threadId?: string): ThreadSyncStatus {
    committer.flush();
    const state = store.getState();
    return threadId === undefined ? state.clientStatus : (state.status[threadId] ?? UNKNOWN_STATUS);
  }

  const client: SyncClient = {
    store,
    ready,
    getThread: (threadId) => book.view(threadId),
    getSyncStatus: status,
    getPendingItems(threadId) {
      committer.flush();
      return threadId === undefined ? store.getState().pending : threadWrites(threadId);
    },
    start() {
      if (started || disposed) return;
      started = true;
      health.dispatch({ type: 'start' });
      if (!environment.isOnline()) health.dispatch({ type: 'offline' });
      unsubscribeEnvironment = environment.subscribe(onEnvironment);
      outbox.start();
      pushChannel.start();
      poller.start();
      // Threads watched before start() are pulled now (the stream only carries what follows).
      pullSoon();
    },
    reconnect() {
      if (!started) return;
      pushChannel.stop();
      pushChannel.start();
      outbox.retryNow();
      // Asked for by a person: every thread on screen, even if the page says it is offline.
      for (const id of book.ids()) interest.ask(id);
      pull().catch(() => {});
    },
    stop() {
      if (!started) return;
      started = false;
      unsubscribeEnvironment?.();
      unsubscribeEnvironment = null;
      if (pullTimer !== null) clock.clearTimeout(pullTimer);
      pullTimer = null;
      poller.stop();
      pushChannel.stop();
      outbox.stop();
      health.dispatch({ type: 'stop' });
    },
    dispose() {
      client.stop();
      outbox.dispose();
      releaseLock?.();
      stream.cancel();
      disposed = true;
    },
    watch(threadId) {
      const unwatch = interest.watch(threadId);
      pullSoon();
      return unwatch;
    },
    mutate(threadId, name, args) {
      const prepared = prepareWrite(mutators, book.view(threadId), { threadId, name, args, now: clock.now() });
      const write = outbox.enqueue(threadId, name, prepared.args);
      book.setView(threadId, prepared.view);
      commit();
      return write;
    },
    queueForSync(threadId) {
      interest.ask(threadId);
      outbox.sendNow();
      pullSoon();
    },
    async syncImmediately(threadId) {
      interest.ask(threadId);
      outbox.sendNow();
      await pull();
    },
    flushPending: (opts) => outbox.flush(opts?.timeoutMs),
    getHealthStatus: () => health.get(),
    retry(writeId) {
      const write = outbox.get(writeId);
      outbox.retry(writeId);
      if (write) book.recompute(write.threadId, pendingOf(write.threadId));
      commit();
    },
    discard(writeId) {
      outbox.discard(writeId);
      commit();
    },
    recordActivity: () => poller.recordActivity(),
  };
  return client;
}

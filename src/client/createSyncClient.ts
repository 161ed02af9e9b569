import { DEFAULT_RETRY } from '../protocol/backoff.js';
import { createTimer, systemClock } from '../platform/clock.js';
import { defaultStorage } from '../platform/defaultStorage.js';
import { createBrowserEnvironment, type EnvironmentEvent } from '../platform/environment.js';
import { builtinMutators } from '../model/mutators.js';
import { createOutbox, disposedError } from '../outbox/outbox.js';
import { createPoller } from '../liveness/poller.js';
import { createPushChannel } from '../liveness/pushChannel.js';
import type { HealthStatus } from '../model/types.js';
import type { MutatorDefs, NoMutators } from '../model/mutations.js';
import { withThreadSchema } from '../protocol/schemaConnector.js';
import { invalidArgs, validateWith, type StandardSchemaV1 } from '../model/standardSchema.js';
import type { BaseMessage, Message, Mutator, PendingWrite } from '../model/types.js';
import { createStoreCommitter } from './commit.js';
import { createSyncStore } from './createSyncStore.js';
import { prepareWrite } from './prepareWrite.js';
import { createReachability } from './reachability.js';
import { createStreamSink } from './streamSink.js';
import { groupPending, NO_WRITES } from './groupPending.js';
import { createInterest } from './interest.js';
import { createPuller } from './puller.js';
import { createPublishedHealth } from './publishedHealth.js';
import { selectPending, selectStatus } from './selectors.js';
import { createThreadBook } from './threadBook.js';
import { erasePending, resolveCache } from './cacheOption.js';
import { withLocalCopy } from './copiedBook.js';
import { createLocalCopy } from './localCopy.js';
import type { SyncError } from '../model/errors.js';
import { createTabLink, leaderLock, type TabHost } from './tabs.js';
import type { SyncClient, SyncClientOptions, UntypedClient, UntypedState } from './types.js';
import { createClientTrace } from './metrics/clientTrace.js';
import { traceConnector } from './metrics/traceConnector.js';

/**
 * The sync client: an outbox, an optimistic view, a poller and a push stream feeding one zustand
 * store. Call `start()` to go online (the React provider does it on mount).
 *
 * Typed by the app's model (docs/typing.md): `M` its message type, `D` its mutators, inferred from
 * `mutators` or given as `createSyncClient<MyMessage>(…)`. Inside, every part works on any name
 * with any args; the types are the app's promise, checked at run time by `schemas` when given.
 */
export function createSyncClient<M extends BaseMessage = Message, D extends MutatorDefs<M> = NoMutators>(
  options: SyncClientOptions<M, D>,
): SyncClient<M, D> {
  const threadSchema = options.schemas?.thread;
  const argSchemas = (options.schemas?.args ?? {}) as Partial<Record<string, StandardSchemaV1>>;
  const clock = options.clock ?? systemClock;
  // The trace of what the client does (docs/metrics.md); its hook points end in "metrics hook".
  const traced = createClientTrace(clock, options.metrics);
  const checked = threadSchema ? withThreadSchema(options.connector, threadSchema) : options.connector;
  const connector = traceConnector(checked, traced.trace, clock);
  const environment = options.environment ?? createBrowserEnvironment(clock);
  const namespace = options.namespace ?? 'default';
  // No prototype: a write named "constructor" or "toString" is an unknown mutation, not Object's.
  const mutators: Record<string, Mutator> = Object.assign(Object.create(null), builtinMutators, options.mutators);
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const batch = { windowMs: 100, maxItems: 50, maxBytes: 256 * 1024, ...options.batch };

  // The local copy (docs/local-copy.md): confirmed threads kept between page loads.
  const outboxStorage = options.storage ?? defaultStorage();
  const cache = resolveCache(options.cache, options.storage !== undefined);
  const copy = cache.on
    ? createLocalCopy({
        storage: cache.storage,
        namespace,
        clock,
        maxBytes: cache.maxBytes,
        source: { confirmed: (id) => book.confirmed(id), lastSyncedAt: (id) => book.lastSyncedAt(id) },
        writer: () => !outbox.following(), // in tabs, only the leader writes it
        storageChanged: (error) => storageFailed('copy', error),
      })
    : undefined;
  const book = withLocalCopy(createThreadBook(mutators), copy);
  const interest = createInterest();
  let pushing = new Set<string>();
  let started = false;
  let disposed = false;
  const pullTimer = createTimer(clock);
  const ackCheck = createTimer(clock);
  let unsubscribeEnvironment: (() => void) | null = null;
  let warnedStorage = false;

  const { onDegraded, onRecovered } = options;
  const published = createPublishedHealth({
    clock,
    environment,
    onDegraded,
    onRecovered,
    publish: () => {
      traced.health(health.get()); // metrics hook
      commit();
      tabs?.tell({ t: 'health', health: health.get() });
    },
  });
  const health = published.monitor;
  /** A follower shows the leader's health (docs/tabs.md); null while leading or alone. */
  let mirror: HealthStatus | null = null;
  const healthNow = () => mirror ?? health.get();
  const store = createSyncStore(health.get());
  const committer = createStoreCommitter({
    store,
    book,
    pending: () => outbox.list(),
    inFlight: (id) => (id === undefined ? pushing.size > 0 : pushing.has(id)) || puller.pulling(id),
    inFlightIds: () => [...pushing, ...puller.pullingIds()],
    online: () => environment.isOnline() && healthNow().state !== 'offline',
    health: () => mirror ?? published.snapshot(),
    heard: book.heard,
  });
  const commit = committer.schedule;

  const staleAfterMs = options.liveness?.staleAfterMs ?? 7000;
  const reach = createReachability({
    connector,
    clock,
    environment,
    health,
    active: () => started,
    staleAfterMs,
    maxSpreadMs: retry.maxMs,
    onReachable() {
      outbox.retryNow(false);
      pullSoon();
    },
    onStreamDue: () => pushChannel.reconnectNow(),
  });
  const report = reach.report;
  const pendingOf = (threadId: string) => groupPending(outbox.list()).get(threadId) ?? NO_WRITES;

  /** Rebases each thread these writes touched, once: a refused batch of 50 is one rebase. */
  const recompute = (writes: PendingWrite[]) => {
    for (const threadId of new Set(writes.map((w) => w.threadId))) book.recompute(threadId, pendingOf(threadId));
  };

  // Tabs of one origin and namespace share one leader's connection (docs/tabs.md); an explicit
  // clientId is one writer's, so that client works alone.
  const tabs = options.tabs === 'alone' || options.clientId !== undefined ? undefined : createTabLink(environment, namespace, host());
  const outbox = createOutbox({
    connector,
    storage: outboxStorage,
    namespace,
    ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
    clock,
    batch,
    retry,
    maxPending: options.maxPending ?? 10_000,
    ownerAlive: async (clientId) => (await environment.isLockHeld?.(lockName(clientId))) ?? false,
    ...(tabs && { relay: tabs }),
    listener: {
      changed() {
        traced.depth(outbox.list().length); // metrics hook
        // A follower's writes are sent by the leader: its reports say which are in flight.
        if (outbox.following()) pushing = new Set(outbox.list().filter((w) => w.state === 'sending').map((w) => w.threadId));
        commit();
      },
      acked(items) {
        traced.settled(items, 'acknowledged'); // metrics hook
        const now = clock.now();
        for (const { write } of items) book.markSynced(write.threadId, now);
        // Writes the confirmed thread already shows leave the view now; the others stay in it.
        recompute(items.filter(({ write, v }) => book.acknowledge(write, v)).map((i) => i.write));
        // The confirmed thread arrives over the stream when it is live; otherwise go and get it
        // (a follower's comes from the leader, which pulls when its stream is down).
        if (!pushChannel.isLive() && !outbox.following()) pullSoon();
        else checkAcksLater();
      },
      failed(items) {
        traced.settled(items, 'failed'); // metrics hook
        recompute(items.map((i) => i.write));
        const onRollback = options.onRollback as UntypedClientOptions['onRollback'];
        for (const { write, error } of items) onRollback?.(write, error);
      },
      discarded(writes) {
        traced.settled(writes, 'discarded'); // metrics hook
        recompute(writes);
      },
      pushStarted(threadIds) {
        pushing = threadIds;
        reach.began('push');
        health.dispatch({ type: 'writes-retry', at: null });
      },
      pushEnded(_threadIds, error, nextRetryAt) {
        pushing = new Set();
        traced.retry(nextRetryAt); // metrics hook
        report('push', error);
        health.dispatch({ type: 'writes-retry', at: nextRetryAt });
      },
      storageChanged: (error) => storageFailed('outbox', error),
    },
  });

  const puller = createPuller({
    connector,
    clock,
    book,
    interest,
    clientId: outbox.clientId,
    pending: outbox.list,
    pendingOf,
    began: reach.began,
    report,
    commit,
    disposed: () => disposed,
    pulled: (threads, synced) => tabs?.tell({ t: 'threads', threads, synced }),
  });
  // With a local copy, the first pull names the copy's versions (only what changed comes back).
  const pull = copy ? () => restored.then(puller.pull) : puller.pull;

  const stream = createStreamSink({
    clock,
    environment,
    book,
    tracks: (threadId) => interest.isWatched(threadId) || book.has(threadId),
    pendingOf,
    commit,
    onGap: pullThreadSoon,
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
    staleAfterMs,
    retry,
    getCursor: puller.cursor,
    onHealth: (event) => {
      reach.streamEvent(event);
      health.dispatch(event);
      poller.pushStateChanged();
    },
    onReconnected: pullSoon,
    // Events may have been missed while the stream died: catch up at once, then poll.
    onLiveChange: (live) => {
      poller.pushStateChanged();
      if (!live) pullSoon();
    },
    onEvent(event) {
      if (event.id !== null) puller.setCursor(event.id);
      if (event.type === 'reset') pullSoon();
      else {
        stream.add(event);
        tabs?.tell({ t: 'event', event });
      }
    },
    // Too large to read off the stream: pull that thread instead (all of them when unknown).
    onOversizedEvent: ({ threadId }) => (threadId === null ? pullSoon() : pullThreadSoon(threadId)),
  });

  /** The outbox's or the copy's storage refuses: shown until both store again (docs/outbox.md). */
  const storageErrors: Record<'outbox' | 'copy', SyncError | null> = { outbox: null, copy: null };
  function storageFailed(part: 'outbox' | 'copy', error: SyncError | null) {
    storageErrors[part] = error;
    health.dispatch({ type: 'storage', failing: storageErrors.outbox !== null || storageErrors.copy !== null });
    if (!error || warnedStorage) return;
    warnedStorage = true;
    console.error(`[syncline] ${error.message}`);
  }

  /**
   * An ack whose version the stream never reaches (a server that answered v = 1e15) would keep
   * its write in the view, applied twice over the confirmed thread: after `staleAfterMs`, the
   * threads still waiting on an ack from before are pulled, and the pull settles them.
   */
  function checkAcksLater() {
    if (ackCheck.pending()) return;
    const mark = book.mark();
    ackCheck.set(() => {
      let waiting = false;
      for (const id of book.ids()) {
        if (book.waitsSince(id, mark)) pullThreadSoon(id);
        else waiting ||= book.hasAcked(id);
      }
      if (waiting) checkAcksLater();
    }, staleAfterMs);
  }

  function pullThreadSoon(threadId: string) {
    interest.ask(threadId);
    pullSoon();
  }

  /**
   * A pull asked for outside the poller (syncImmediately, reconnect). One that fails is handed
   * to the poller, which retries it with backoff: while the stream is live nothing else would
   * pull again, and health would say 'server-errors' for good.
   */
  function pullOutsidePoller(): Promise<void> {
    return pull().catch((error: unknown) => {
      pullSoon();
      throw error;
    });
  }

  /** Coalesces pulls asked for in the same task (several watches, several acks). */
  function pullSoon() {
    if (pullTimer.pending() || !started) return;
    pullTimer.set(() => {
      // A follower asks the leader, which pulls for every tab.
      if (outbox.following()) tabs?.ask([...interest.take([])]);
      else {
        void tabs?.prune();
        void poller.pullNow().catch(() => {});
      }
    }, 0);
  }

  /** Starts what only one tab runs: the outbox's sending, the stream, the poller. */
  function connect() {
    health.dispatch({ type: 'start' });
    if (!environment.isOnline()) health.dispatch({ type: 'offline' });
    outbox.start();
    pushChannel.start();
    poller.start();
    // Threads watched before start() are pulled now (the stream only carries what follows).
    pullSoon();
  }

  /** Stops what `connect` started. */
  function disconnect() {
    pullTimer.clear();
    ackCheck.clear();
    reach.stop();
    poller.stop();
    pushChannel.stop();
    outbox.stop();
    health.dispatch({ type: 'stop' });
  }

  /** The tab link's view of this client (docs/tabs.md). */
  function host(): TabHost {
    return {
      get outbox() {
        return outbox;
      },
      watching: interest.watched,
      follow() {
        heard();
        return follow();
      },
      lead() {
        traced.role('leader'); // metrics hook
        mirror = null;
        loaded
          .then(outbox.load)
          .then(() => {
            heard();
            recompute(outbox.list());
            if (started && tabs?.leading()) connect();
            commit();
          })
          .catch((error: unknown) => console.error('[syncline] this tab could not take the lead', error));
      },
      setRemote: interest.setRemote,
      remote: interest.remoteTabs,
      alive: (tab) => environment.isLockHeld?.(lockName(tab)).catch(() => true) ?? Promise.resolve(true),
      confirmed: (ids) => ids.flatMap((id) => book.confirmed(id) ?? []),
      ask(ids, again) {
        for (const id of ids) interest.ask(id);
        if (again) client.reconnect();
        else pullSoon();
      },
      health: health.get,
      event: (event) => event.type !== 'reset' && stream.add(event),
      threads(threads, synced) {
        for (const thread of threads) if (book.receive(thread)) book.recompute(thread.id, pendingOf(thread.id));
        const now = clock.now();
        for (const id of synced) book.markSynced(id, now);
        commit();
      },
      leaderHealth(next) {
        const was = healthNow();
        traced.health(next); // metrics hook
        mirror = next;
        if (!was.degraded && next.degraded) onDegraded?.(next);
        if (was.degraded && !next.degraded) onRecovered?.(next);
        commit();
      },
    };
  }

  /**
   * The one place environment events (online, offline, focus, visibility, activity, pagehide,
   * freeze, resume) enter the client, handed on in this order: the tab election, health and the
   * outbox, the stream, the poller.
   */
  function onEnvironment(event: EnvironmentEvent) {
    // A frozen tab cannot lead (nor answer): it leaves the election until it wakes.
    if (tabs && event === 'freeze') {
      disconnect();
      tabs.stop();
    } else if (tabs && event === 'resume') tabs.start();
    // A follower sends nothing itself: the leader's page watches the network.
    if (!outbox.following()) {
      if (event === 'offline') health.dispatch({ type: 'offline' });
      else if (event === 'pagehide') outbox.sendOnPageHide();
      else if (event === 'online') {
        health.dispatch({ type: 'online' });
        reach.online();
        outbox.retryNow(); // the backoff was for a sick network, not for this one
      }
    }
    if (event === 'pagehide') void copy?.flush();
    // Each acts only while it runs (only the leader's do, in tabs).
    pushChannel.handleEnvironment(event); // back online: reconnect at once
    poller.handleEnvironment(event); // focus and online pull now; the rest move the next pull
  }

  // This client's writes are its own while it lives: other tabs see the lock and leave them.
  const lockName = (clientId: string) => `syncline:${namespace}:${clientId}`;
  const releaseLock = environment.holdLock?.(lockName(outbox.clientId));
  // In tabs, a follower loads nothing: the leader holds the stored writes. A tab that finds no
  // leader loads them as a lone client does, and follows if another tab wins the election.
  // A follower is ready once the leader answered it (after start()).
  let heard!: () => void;
  const leaderHeard = new Promise<void>((resolve) => (heard = resolve));
  const loaded = tabs
    ? (environment.isLockHeld?.(leaderLock(namespace)) ?? Promise.resolve(false))
        .catch(() => false)
        .then((led) => (led ? void follow() : outbox.load()))
    : outbox.load();
  // Every tab reads the copy: on screen before any network answer, the pending writes on top.
  const restored = copy
    ? copy
        .restore()
        .then((threads) => {
          book.restore(threads, pendingOf);
          commit();
        })
        .catch((error: unknown) => console.error('[syncline] the local copy could not be shown', error))
    : Promise.resolve();
  const ready = (copy ? Promise.all([loaded, restored]) : loaded)
    .then(() => (outbox.following() ? leaderHeard : undefined))
    .then(() => {
      recompute(outbox.list());
      commit();
    });

  /** Another tab leads: returns whether this one stopped sending just now. */
  function follow(): boolean {
    if (outbox.following()) return false;
    traced.role('follower'); // metrics hook
    recompute(outbox.follow());
    commit();
    return true;
  }

  /** Reads the store as the hooks do, after publishing anything waiting. */
  const read = <T>(select: (state: UntypedState, threadId?: string) => T, threadId?: string): T => {
    committer.flush();
    return select(store.getState(), threadId);
  };

  const client: UntypedClient = {
    store,
    ready,
    getThread: book.view,
    getConfirmedThread: book.confirmed,
    getSyncStatus: (threadId) => read(selectStatus, threadId),
    getPendingItems: (threadId) => read(selectPending, threadId),
    start() {
      if (started || disposed) return;
      started = true;
      unsubscribeEnvironment = environment.subscribe(onEnvironment);
      if (tabs) tabs.start();
      else connect();
    },
    reconnect() {
      if (!started) return;
      if (outbox.following()) return tabs?.ask([...book.ids()], true);
      pushChannel.stop();
      pushChannel.start();
      outbox.retryNow();
      // Asked for by a person: every thread on screen, even if the page says it is offline.
      for (const id of book.ids()) interest.ask(id);
      pullOutsidePoller().catch(() => {});
    },
    stop() {
      if (!started) return;
      started = false;
      unsubscribeEnvironment?.();
      unsubscribeEnvironment = null;
      disconnect();
      tabs?.stop();
      mirror = null;
      void copy?.flush();
    },
    dispose() {
      client.stop();
      outbox.dispose();
      tabs?.close();
      releaseLock?.();
      stream.cancel();
      disposed = true;
      void copy?.flush();
      copy?.dispose();
    },
    async clearLocalData(opts) {
      await (copy ? copy.clear() : cache.erase?.clear(namespace));
      if (opts?.includePending) await erasePending(outbox, outboxStorage, namespace);
    },
    watch(threadId) {
      const unwatch = interest.watch(threadId);
      copy?.watched(threadId);
      tabs?.watched();
      pullSoon();
      return () => {
        unwatch();
        copy?.watched(threadId);
        tabs?.watched();
      };
    },
    mutate(threadId, name, args) {
      if (disposed) throw disposedError();
      const schema = Object.hasOwn(argSchemas, name) ? argSchemas[name] : undefined;
      const problem = schema && validateWith(schema, args, 'args');
      if (problem) throw invalidArgs(name, problem);
      const prepared = prepareWrite(mutators, book.view(threadId), { threadId, name, args, now: clock.now() });
      const write = outbox.enqueue(threadId, name, prepared.args);
      traced.queued(write); // metrics hook
      book.setView(threadId, prepared.view);
      commit();
      return write;
    },
    queueForSync(threadId) {
      outbox.sendNow();
      pullThreadSoon(threadId);
    },
    async syncImmediately(threadId) {
      if (disposed) throw disposedError();
      interest.ask(threadId);
      outbox.sendNow();
      if (outbox.following()) pullSoon();
      else await pullOutsidePoller();
    },
    flushPending: (opts) => outbox.flush(opts?.timeoutMs),
    getHealthStatus: healthNow,
    retry(writeId) {
      const write = outbox.get(writeId);
      outbox.retry(writeId);
      if (write) recompute([write]);
      commit();
    },
    discard(writeId) {
      outbox.discard(writeId);
      commit();
    },
    recordActivity: poller.recordActivity,
    observe: traced.trace.observe, // metrics hook
    getMetrics: traced.read, // metrics hook
  };
  return client as unknown as SyncClient<M, D>;
}

type UntypedClientOptions = SyncClientOptions<Message, MutatorDefs>;

import { randomId } from '../platform/randomId.js';
import { createOutbox, loneRelay, type OutboxRelay } from '../outbox/outbox.js';
import { createPoller } from '../liveness/poller.js';
import { createStreamChannel } from '../liveness/streamChannel.js';
import type { MutatorDefs, NoMutators } from '../model/mutations.js';
import type { BaseMessage, Message, PendingWrite } from '../model/types.js';
import { createClientApi } from './clientApi.js';
import { createClientHealth } from './clientHealth.js';
import { startClientLoad } from './clientLoad.js';
import { createClientPulls } from './clientPulls.js';
import { createClientSession } from './clientSession.js';
import type { ClientCore, ClientLife } from './clientCore.js';
import type { ClientWired } from './clientWired.js';
import { resolveSetup, type UntypedClientOptions } from './clientSetup.js';
import { createStoreCommitter } from './commit.js';
import { withLocalCopy } from './copiedBook.js';
import { createSyncStore } from './createSyncStore.js';
import { groupPending, NO_WRITES } from './groupPending.js';
import { createInterest } from './interest.js';
import { createLocalCopy } from './localCopy.js';
import { createOutboxEvents } from './outboxEvents.js';
import { createPuller } from './puller.js';
import { createReachability } from './reachability.js';
import { createStreamSink } from './streamSink.js';
import { createTabHost } from './tabHost.js';
import { createTabLink } from './tabs.js';
import { createThreadBook } from './threadBook.js';
import type { SyncClient, SyncClientOptions } from './types.js';
import { createUpcalls } from './upcalls.js';

/**
 * The sync client: an outbox, an optimistic view, a poller and an event stream feeding one
 * zustand store. Call `start()` to go online (the React provider does it on mount).
 *
 * Typed by the app's model (docs/typing.md): `M` its message type, `D` its mutators, inferred from
 * `mutators` or given as `createSyncClient<MyMessage>(…)`. Inside, every part works on any name
 * with any args; the types are the app's promise, checked at run time by `schemas` when given.
 *
 * Built top to bottom, each part from the parts above it (docs/architecture.md, "Wiring"); the
 * few calls that point down the page go through `up`, bound as soon as their part exists.
 */
export function createSyncClient<M extends BaseMessage = Message, D extends MutatorDefs<M> = NoMutators>(
  options: SyncClientOptions<M, D>,
): SyncClient<M, D> {
  const opts = options as unknown as UntypedClientOptions;
  const setup = resolveSetup(opts);
  const { clock, traced, connector, environment, namespace, retry, staleAfterMs } = setup;
  const up = createUpcalls();
  const life: ClientLife = { started: false, disposed: false };

  // Who sends: the tab link is the one owner of leadership (docs/tabs.md); the outbox and the
  // client ask it. A lone client's relay always sends.
  const clientId = options.clientId ?? randomId(clock.random);
  const tabs = setup.sharesTabs ? createTabLink(environment, namespace, clientId) : undefined;
  const role: OutboxRelay = tabs ?? loneRelay;
  const lockName = (owner: string) => `syncline:${namespace}:${owner}`;

  // Health: this tab's own, or its leader's while following; the store starts from it.
  const { onDegraded, onRecovered } = opts;
  const health = createClientHealth({ clock, environment, traced, tabs, commit: up.commit, onDegraded, onRecovered });
  const store = createSyncStore(health.monitor.get());

  // The threads: confirmed and optimistic, the local copy of them, and which ones are wanted.
  const threads = createThreadBook(setup.mutators);
  const copy = setup.cache.on
    ? createLocalCopy({
        storage: setup.cache.storage,
        namespace,
        clock,
        maxBytes: setup.cache.maxBytes,
        source: threads,
        writer: () => !role.following(), // in tabs, only the leader writes it
        storageChanged: (error) => health.storageFailed('copy', error),
      })
    : undefined;
  const book = withLocalCopy(threads, copy);
  const interest = createInterest();
  const pendingOf = (threadId: string): PendingWrite[] => groupPending(up.pending()).get(threadId) ?? NO_WRITES;
  /** Rebases each thread these writes touched, once: a refused batch of 50 is one rebase. */
  const recompute = (writes: PendingWrite[]) => {
    for (const threadId of new Set(writes.map((w) => w.threadId))) book.recompute(threadId, pendingOf(threadId));
  };
  const core: ClientCore = { clock, environment, namespace, traced, life, up, tabs, role, book, copy, interest, health, pendingOf, recompute };

  // Whether the server can be reached.
  const reach = createReachability({
    connector,
    clock,
    environment,
    health: health.monitor,
    active: () => life.started,
    staleAfterMs,
    maxSpreadMs: retry.maxMs,
    onReachable() {
      up.resendWrites();
      up.pullSoon();
    },
    onStreamDue: up.reopenStream,
  });

  // Reading from the server: the pull, the poller, the pulls asked for, the stream.
  // With a local copy, the first pull names the copy's versions (only what changed comes back).
  let copyShown!: () => void;
  const copyRead = new Promise<void>((resolve) => (copyShown = resolve));
  const puller = createPuller({
    connector,
    clock,
    book,
    interest,
    clientId,
    pending: up.pending,
    pendingOf,
    began: reach.began,
    report: reach.report,
    commit: up.commit,
    pullSoon: up.pullSoon,
    disposed: () => life.disposed,
    pulled: (list, synced) => tabs?.tell({ t: 'threads', threads: list, synced }),
  });
  const pull = copy ? () => copyRead.then(puller.pull) : puller.pull;
  const poller = createPoller({
    clock,
    environment,
    activeMs: opts.poll?.activeMs ?? 5000,
    idleMs: opts.poll?.idleMs ?? 60_000,
    retry,
    pull,
    isStreamLive: up.streamLive,
  });
  const pulls = createClientPulls(core, { poller, staleAfterMs, pull });
  const sink = createStreamSink({
    clock,
    environment,
    book,
    tracks: (threadId) => interest.isWatched(threadId) || book.has(threadId),
    pendingOf,
    commit: up.commit,
    onGap: pulls.threadSoon,
  });
  const streamChannel = createStreamChannel({
    connector,
    clock,
    environment,
    staleAfterMs,
    retry,
    getCursor: puller.cursor,
    onHealth: (event) => {
      reach.streamEvent(event);
      health.monitor.dispatch(event);
      poller.streamStateChanged();
    },
    onReconnected: pulls.soon,
    // Events may have been missed while the stream died: catch up at once, then poll.
    onLiveChange: (live) => {
      poller.streamStateChanged();
      if (!live) pulls.soon();
    },
    onEvent(event) {
      if (event.id !== null) puller.setCursor(event.id);
      if (event.type === 'reset') pulls.soon();
      else {
        sink.add(event);
        tabs?.tell({ t: 'event', event });
      }
    },
    // Too large to read off the stream: pull that thread instead (all of them when unknown).
    onOversizedEvent: ({ threadId }) => (threadId === null ? pulls.soon() : pulls.threadSoon(threadId)),
  });
  up.bind({ pullSoon: pulls.soon, streamLive: streamChannel.isLive, reopenStream: streamChannel.reconnectNow });

  // Writing: the outbox, which asks the relay who sends.
  const events = createOutboxEvents(core, { reach, pulls, onRollback: opts.onRollback });
  const { outbox, tabs: outboxTabs } = createOutbox({
    connector,
    storage: setup.storage,
    namespace,
    ...(options.clientId === undefined ? { freshClientId: clientId } : { clientId }),
    clock,
    batch: setup.batch,
    retry,
    maxPending: opts.maxPending ?? 10_000,
    ownerAlive: async (owner) => (await environment.isLockHeld?.(lockName(owner))) ?? false,
    relay: role,
    listener: events.listener,
  });
  up.bind({ pending: outbox.list, pendingCount: outbox.size, resendWrites: () => outbox.retryNow(false) });
  const wired: ClientWired = { reach, poller, pulls, sink, streamChannel, outbox };

  // The store: every part above feeds it.
  const committer = createStoreCommitter({
    store,
    book,
    pending: outbox.list,
    inFlight: (id) => (id === undefined ? events.pushing().size > 0 : events.pushing().has(id)) || puller.pulling(id),
    inFlightIds: () => [...events.pushing(), ...puller.pullingIds()],
    online: () => environment.isOnline() && health.now().state !== 'offline',
    health: health.shown,
    heard: book.heard,
  });
  up.bind({ commit: committer.schedule });

  // This client's writes are its own while it lives: other tabs see the lock and leave them.
  const releaseLock = environment.holdLock?.(lockName(clientId));
  const load = startClientLoad(core, outbox);
  void load.restored.then(copyShown);

  const session = createClientSession(core, wired);
  tabs?.listen(createTabHost(core, wired, { tabs, outboxTabs, load, session, lockName }));
  const client = createClientApi(core, wired, {
    mutators: setup.mutators,
    argSchemas: setup.argSchemas,
    storage: setup.storage,
    erase: setup.cache.erase,
    store,
    committer,
    load,
    session,
    releaseLock,
  });
  return client as unknown as SyncClient<M, D>;
}

import type { Clock } from '../platform/clock.js';
import type { Environment } from '../platform/environment.js';
import type { SyncError } from '../model/errors.js';
import type { MutationArgs, MutationName, MutatorDefs, NoMutators, TypedPendingWrite } from '../model/mutations.js';
import type { StandardSchemaV1 } from '../model/standardSchema.js';
import type { BaseMessage, HealthStatus, Message, Thread, ThreadSyncStatus } from '../model/types.js';
import type { SyncConnector } from '../protocol/wire.js';
import type { OutboxStorage } from '../platform/storage.js';
import type { StoreApi } from 'zustand/vanilla';
import type { SyncTraceEvent } from './metrics/trace.js';
import type { SyncMetrics, SyncMetricsOption } from './metrics/types.js';

/**
 * Everything the UI reads, in one zustand vanilla store. Derived slices (`threads`, `status`,
 * `pendingByThread`, `clientStatus`) are recomputed by the client on change and keep their
 * identity when unchanged, so selectors need no memoisation of their own.
 */
export interface SyncStoreState<M extends BaseMessage = Message, D = NoMutators> {
  /** The optimistic view of each known thread: confirmed + pending writes re-applied in order. */
  threads: Record<string, Thread<M>>;
  /** Every write not yet acknowledged, failed ones included, in `seq` order. */
  pending: TypedPendingWrite<M, D>[];
  pendingByThread: Record<string, TypedPendingWrite<M, D>[]>;
  /** Per-thread status (docs/outbox.md, "Status of a thread"). Threads never seen are absent: read them as `unknown`. */
  status: Record<string, ThreadSyncStatus>;
  /** The status of the whole client (every thread together). */
  clientStatus: ThreadSyncStatus;
  health: HealthStatus;
}

export type SyncStore<M extends BaseMessage = Message, D = NoMutators> = StoreApi<SyncStoreState<M, D>>;

/**
 * Optional run-time checks by any Standard Schema (zod, valibot, arktype…); syncline depends on
 * none of them. Schemas must validate synchronously.
 */
export interface SyncSchemas<M extends BaseMessage = Message, D = NoMutators> {
  /**
   * Checks every thread the server sends (pulls and stream events). One that fails is a
   * `protocol` SyncError, as any malformed answer: nothing in the store changes.
   */
  thread?: StandardSchemaV1<unknown, NoInfer<Thread<M>>>;
  /**
   * Checks the args of a mutation before it is applied or queued: failing args make `mutate`
   * throw a `rejected` SyncError with code `invalid-args` naming the path of the issue. The
   * schema's output is what gets queued.
   */
  args?: { [N in MutationName<M, D>]?: StandardSchemaV1<unknown, NoInfer<MutationArgs<M, D>[N]>> };
}

/**
 * `M` is the app's message type (any object with `id: string`), `D` its mutators. Both are
 * inferred: `D` from `mutators`, `M` from their draft parameters (`draft: Thread<MyMessage>`), or
 * given once: `createSyncClient<MyMessage>({ … })`.
 */
export interface SyncClientOptions<M extends BaseMessage = Message, D extends MutatorDefs<M> = NoMutators> {
  connector: SyncConnector;
  /**
   * Identifies this client's writes to the server (its seqs and epoch). Without it, each client
   * instance (each tab, each page load) draws a new random id (docs/outbox.md says why); writes stored by an earlier instance are
   * still sent, under the id they were numbered with. With it, the seqs this id used are kept
   * and the client works alone (no tab leadership).
   * @default a random id per client instance
   */
  clientId?: string;
  /** Separates users' outboxes in one browser. @default 'default' */
  namespace?: string;
  /** @default IndexedDB in browsers, memory elsewhere */
  storage?: OutboxStorage;
  /**
   * The local copy (docs/local-copy.md): confirmed threads kept per namespace, so a reload
   * shows them before the network answers (and offline). `false` turns it off; `maxBytes`
   * bounds it, the least recently watched threads evicted first. Kept in IndexedDB beside the
   * outbox in browsers, in memory (for the client's life) elsewhere.
   * @default on (50 MiB) where the outbox uses the default IndexedDB storage; off otherwise
   */
  cache?: boolean | { maxBytes?: number };
  /**
   * Added to the built-in mutators (`addMessage`, `editMessage`, …); their names and the types of
   * their `args` parameters type `mutate`. Must be deterministic. @default {}
   */
  mutators?: D & MutatorDefs<M>;
  /** Run-time validation of args and server threads by Standard Schemas. @default {} */
  schemas?: SyncSchemas<M, D>;
  /** @default { activeMs: 5000, idleMs: 60000 } */
  poll?: { activeMs?: number; idleMs?: number };
  /** @default { windowMs: 100, maxItems: 50, maxBytes: 262144 } */
  batch?: { windowMs?: number; maxItems?: number; maxBytes?: number };
  /** Full-jitter backoff. @default { baseMs: 500, maxMs: 30000 } */
  retry?: { baseMs?: number; maxMs?: number };
  /** No frame for this long on a live stream => degraded ('stale'). @default { staleAfterMs: 7000 } */
  liveness?: { staleAfterMs?: number };
  /** Outbox bound: past it `mutate` throws `OutboxFullError`. @default 10000 */
  maxPending?: number;
  onDegraded?(health: HealthStatus): void;
  onRecovered?(health: HealthStatus): void;
  onRollback?(write: TypedPendingWrite<M, D>, error: SyncError): void;
  /**
   * `'shared'`: the tabs of one origin and namespace elect a leader (Web Locks) that alone holds
   * the event stream, polls and pushes every tab's writes; the others follow over a
   * BroadcastChannel (docs/tabs.md). Where Web Locks or BroadcastChannel are missing, and with an
   * explicit `clientId`, each client works alone, as with `'alone'`.
   * @default 'shared'
   */
  tabs?: 'shared' | 'alone';
  /**
   * Counts for `getMetrics()` and `useSyncMetrics()`: pass `syncMetrics()` from syncline/metrics
   * (docs/metrics.md). Off, `getMetrics()` throws a SyncError saying so; `observe()` works either
   * way. @default off
   */
  metrics?: SyncMetricsOption;
  /** @default the system clock */
  clock?: Clock;
  /** @default the browser's page, or an always-online environment outside browsers */
  environment?: Environment;
}

export interface SyncClient<M extends BaseMessage = Message, D = NoMutators> {
  store: SyncStore<M, D>;
  /** The optimistic view that `useThread` shows. */
  getThread(threadId: string): Thread<M> | undefined;
  /**
   * What the server confirmed of a thread, without this client's pending writes: the version the
   * next pull names. For inspectors and bug reports; apps show `getThread`.
   */
  getConfirmedThread(threadId: string): Thread<M> | undefined;
  getSyncStatus(threadId?: string): ThreadSyncStatus;
  getPendingItems(threadId?: string): TypedPendingWrite<M, D>[];
  start(): void;
  stop(): void;
  dispose(): void;
  /** Keeps this thread pulled and pushed while watched. Returns the unwatch function. */
  watch(threadId: string): () => void;
  /**
   * Applies the write optimistically and queues it. Returns at once. `name` is a built-in or one
   * of the app's mutators, `args` that mutator's args (checked at compile time).
   * @throws SyncError `rejected` (code `unknown-mutator` or `invalid-args`) and nothing is queued
   */
  mutate<N extends MutationName<M, D>>(threadId: string, name: N, args: MutationArgs<M, D>[N]): TypedPendingWrite<M, D>;
  queueForSync(threadId: string): void;
  syncImmediately(threadId: string): Promise<void>;
  /**
   * Resolves once every write queued before the call has settled (acknowledged or failed), with
   * the count acknowledged; rejects with a 'timeout' SyncError if `timeoutMs` passes first.
   * Writes go out only while the client is started: before `start()` this waits for it.
   */
  flushPending(options?: { timeoutMs?: number }): Promise<number>;
  getHealthStatus(): HealthStatus;
  retry(writeId: string): void;
  discard(writeId: string): void;
  /** User activity speeds the poller up. */
  recordActivity(): void;
  /**
   * "Retry now": reopens the event stream, sends waiting writes without waiting out the backoff,
   * and pulls every watched thread. What `<DegradedBanner />` offers.
   */
  reconnect(): void;
  /**
   * Erases this namespace's local copy, and with `includePending` its stored writes (the ones
   * not yet sent are lost): for sign-out, before `dispose()` (docs/local-copy.md).
   */
  clearLocalData(options?: { includePending?: boolean }): Promise<void>;
  /** Resolves once the stored outbox has been loaded (the client sends nothing before). */
  ready: Promise<void>;
  /**
   * Counts since the client was created: writes, ack latency quantiles, queue depth, pulls,
   * stream, bytes (docs/metrics.md). Cheap to call; `useSyncMetrics()` polls it. Throws a
   * SyncError (code `metrics-off`) unless the client was created with `metrics: syncMetrics()`.
   */
  getMetrics(): SyncMetrics;
  /**
   * Calls `listener` with each event of the client's trace (writes queued, pushes and their
   * answers, pulls, stream, health transitions, tab role; docs/metrics.md), from now on. What
   * `<SyncInspector />` (syncline/devtools) draws. Returns the function that stops it.
   */
  observe(listener: (event: SyncTraceEvent) => void): () => void;
}

/** A client of any model: what the provider, components and bridges accept. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySyncClient = SyncClient<any, any>;

/** Internal: the store and client as syncline's own parts see them, any name with any args. */
export type UntypedState = SyncStoreState<Message, MutatorDefs>;
export type UntypedStore = SyncStore<Message, MutatorDefs>;
export type UntypedClient = SyncClient<Message, MutatorDefs>;

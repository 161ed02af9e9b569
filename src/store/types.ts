import type { Clock } from '../core/clock.js';
import type { Environment } from '../core/environment.js';
import type { SyncError } from '../core/errors.js';
import type {
  HealthStatus,
  Mutator,
  OutboxStorage,
  PendingWrite,
  SyncConnector,
  Thread,
  ThreadSyncStatus,
} from '../core/types.js';
import type { StoreApi } from 'zustand/vanilla';

/**
 * Everything the UI reads, in one zustand vanilla store. Derived slices (`threads`, `status`,
 * `pendingByThread`, `clientStatus`) are recomputed by the client on change and keep their
 * identity when unchanged, so selectors need no memoisation of their own.
 */
export interface SyncStoreState {
  /** The optimistic view of each known thread: confirmed + pending writes re-applied in order. */
  threads: Record<string, Thread>;
  /** What the server confirmed. */
  confirmed: Record<string, Thread>;
  /** Every write not yet acknowledged, failed ones included, in `seq` order. */
  pending: PendingWrite[];
  pendingByThread: Record<string, PendingWrite[]>;
  /** Per-thread status (DESIGN §4). Threads never seen are absent: read them as `unknown`. */
  status: Record<string, ThreadSyncStatus>;
  /** The status of the whole client (every thread together). */
  clientStatus: ThreadSyncStatus;
  health: HealthStatus;
}

export type SyncStore = StoreApi<SyncStoreState>;

export interface SyncClientOptions {
  connector: SyncConnector;
  /** Identifies this outbox to the server. @default a stored random UUID per namespace */
  clientId?: string;
  /** Separates users' outboxes in one browser. @default 'default' */
  namespace?: string;
  /** @default IndexedDB in browsers, memory elsewhere */
  storage?: OutboxStorage;
  /** Added to the built-in mutators (`addMessage`, `editMessage`, …). Must be deterministic. */
  mutators?: Record<string, Mutator>;
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
  onRollback?(write: PendingWrite, error: SyncError): void;
  /**
   * `'shared'`: the tabs of one origin and namespace elect a leader (Web Locks) that alone holds
   * the event stream, polls and pushes every tab's writes; the others follow over a
   * BroadcastChannel (docs/tabs.md). Where Web Locks or BroadcastChannel are missing, and with an
   * explicit `clientId`, each client works alone, as with `'alone'`.
   * @default 'shared'
   */
  tabs?: 'shared' | 'alone';
  /** @default the system clock */
  clock?: Clock;
  /** @default the browser's page, or an always-online environment outside browsers */
  environment?: Environment;
}

export interface SyncClient {
  store: SyncStore;
  /** The optimistic view that `useThread` shows. */
  getThread(threadId: string): Thread | undefined;
  getSyncStatus(threadId?: string): ThreadSyncStatus;
  getPendingItems(threadId?: string): PendingWrite[];
  start(): void;
  stop(): void;
  dispose(): void;
  /** Keeps this thread pulled and pushed while watched. Returns the unwatch function. */
  watch(threadId: string): () => void;
  /** Applies the write optimistically and queues it. Returns at once. */
  mutate(threadId: string, name: string, args: unknown): PendingWrite;
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
  /** Resolves once the stored outbox has been loaded (the client sends nothing before). */
  ready: Promise<void>;
}

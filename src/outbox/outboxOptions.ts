import type { RetryPolicy } from '../protocol/backoff.js';
import type { Clock } from '../platform/clock.js';
import type { SyncError } from '../model/errors.js';
import type { BatchLimits } from './outboxBatch.js';
import type { PendingWrite } from '../model/types.js';
import type { SyncConnector } from '../protocol/wire.js';
import type { OutboxStorage } from '../platform/storage.js';
import type { OutboxRelay } from './outboxRelay.js';

export interface OutboxListener {
  /** The list of writes changed: added, removed, state or args. */
  changed(): void;
  /** The server applied these (or had already): `v` is the thread version after each. */
  acked(items: Array<{ write: PendingWrite; v: number | undefined }>): void;
  /** The server refused these for good: roll them back. */
  failed(items: Array<{ write: PendingWrite; error: SyncError }>): void;
  /** A person discarded these. */
  discarded(writes: PendingWrite[]): void;
  pushStarted(threadIds: Set<string>): void;
  /** `error` null for a push that was answered. `nextRetryAt` when a retry is scheduled. */
  pushEnded(threadIds: Set<string>, error: SyncError | null, nextRetryAt: number | null): void;
  /** Storing failed (writes live only in memory), or with null: it works again. */
  storageChanged(error: SyncError | null): void;
}

export interface OutboxOptions {
  connector: SyncConnector;
  storage: OutboxStorage;
  namespace: string;
  /** An explicit, stable clientId; by default every outbox instance takes a fresh one. */
  clientId?: string;
  /**
   * Without `clientId`: the fresh id to take (the tab layer drew it first, to name this tab to
   * the others). Drawn from `clock.random` when left out.
   */
  freshClientId?: string;
  clock: Clock;
  batch: BatchLimits & { windowMs: number };
  retry: RetryPolicy;
  maxPending: number;
  listener: OutboxListener;
  /**
   * Whether the client that stored writes under `clientId` still lives (another tab): its writes
   * are its own to send. Without it every stored write is resumed.
   */
  ownerAlive?(clientId: string): Promise<boolean>;
  /** Who sends the writes when tabs share this outbox (docs/tabs.md). @default loneRelay */
  relay?: OutboxRelay;
}

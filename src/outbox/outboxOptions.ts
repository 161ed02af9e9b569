import type { RetryPolicy } from '../protocol/backoff.js';
import type { Clock } from '../platform/clock.js';
import type { SyncError } from '../model/errors.js';
import type { BatchLimits } from './outboxBatch.js';
import type { PendingWrite, PendingWriteState } from '../model/types.js';
import type { SyncConnector } from '../protocol/wire.js';
import type { OutboxStorage, StoredError, StoredWrite } from '../platform/storage.js';

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

/** What became of other tabs' writes, as the leader tells them (plain data: it is broadcast). */
export type RelayReport =
  | { t: 'state'; writes: Array<[id: string, state: PendingWriteState, attempts: number, error: StoredError | null]> }
  | { t: 'acked'; writes: Array<[id: string, v: number | undefined]> }
  | { t: 'failed'; writes: Array<[id: string, error: StoredError | null]> }
  /** Writes a follower asked to discard, taken out before they were sent. */
  | { t: 'discarded'; writes: string[] };

/** How an outbox shared by tabs talks to the other tabs (docs/tabs.md). */
export interface OutboxRelay {
  /** Following: this tab's write is stored; the leader must hear of it. */
  announce(write: StoredWrite): void;
  /** Following: the person discarded this tab's queued write; the leader takes it out if it is not being sent. */
  withdraw(writeId: string): void;
  /** Leading: what became of other tabs' writes. */
  report(report: RelayReport): void;
}

export interface OutboxOptions {
  connector: SyncConnector;
  storage: OutboxStorage;
  namespace: string;
  /** An explicit, stable clientId; by default every outbox instance takes a fresh one. */
  clientId?: string;
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
  /** Present when tabs share this outbox: the leader sends every tab's writes. */
  relay?: OutboxRelay;
}

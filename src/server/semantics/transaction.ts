import type { Thread } from '../../model/types.js';
import type { PushResult } from '../../protocol/wire.js';
import type { StoredEvent, WriteResult } from '../types.js';

/*
 * The little a store implements so that the protocol's rules (src/server/semantics/push.ts) run
 * on it: the memory store answers synchronously, the PostgreSQL store inside one SQL
 * transaction. ServerStore (src/server/types.ts) states the rules; docs/architecture.md places
 * this module.
 */

/** A value now (the memory store) or later (the PostgreSQL store). */
export type Awaitable<T> = T | Promise<T>;

/** Chains a step after a value that may or may not be a promise: synchronous stores stay synchronous. */
export function andThen<T, U>(value: Awaitable<T>, next: (value: T) => Awaitable<U>): Awaitable<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** What the store keeps per clientId (an outbox): the highest epoch and seq seen. */
export interface ClientRecord {
  epoch: number;
  lastSeq: number;
  /** The first principal that used this clientId (null: none named one yet). */
  principal: string | null;
  /**
   * Seqs up to this one may have had results the store no longer keeps (idempotency retention,
   * src/server/semantics/retention.ts): an unseen one among them answers `expired`. 0: none.
   */
  prunedSeq: number;
  /**
   * Only on a record this push creates: mutations created before this time (ms) may have been
   * applied under a record of the same clientId the store has forgotten, and answer `expired`.
   * 0: the store has forgotten no client, or the record is not new.
   */
  forgottenBefore: number;
}

/** A log entry before the store gave it its cursor. */
export type NewEvent = StoredEvent extends infer E ? (E extends StoredEvent ? Omit<E, 'cursor'> : never) : never;

/** The first result of one new (clientId, seq), kept for duplicate replay. */
export interface RecordedResult {
  seq: number;
  id: string;
  threadId: string;
  name: string;
  result: WriteResult;
}

/** What one push or server write changes, written by the store in one transaction. */
export interface Changes {
  /** Threads at their new versions (each once, the last version). */
  threads: Thread[];
  /** The client's new epoch and lastSeq and the first result of every new seq (absent for server writes). */
  client?: { clientId: string; epoch: number; lastSeq: number; prunedSeq: number; recorded: RecordedResult[] };
  /** Log entries in the order they happened. */
  events: NewEvent[];
}

/**
 * One transaction of a store, in the order the rules call it: the client's row first (locked
 * until the end: its pushes queue there), then the threads the new mutations touch (locked, in
 * a global order so two transactions never deadlock), then one write of everything. Every read
 * happens after its lock is held, so a store's isolation level need not be higher than
 * READ COMMITTED.
 */
export interface StoreTransaction {
  /**
   * The client's record, locked; a new clientId starts at epoch 0 and lastSeq 0. `principal`
   * (when not null) is recorded if the client has none yet; the record answers the one it keeps.
   */
  lockClient(clientId: string, epoch: number, principal: string | null): Awaitable<ClientRecord>;
  /** The first results of those of `seqs` the client has sent before. */
  seen(clientId: string, seqs: number[]): Awaitable<ReadonlyMap<number, PushResult>>;
  /** The current versions of those of `ids` that exist, locked until the end of the transaction. */
  lockThreads(ids: string[]): Awaitable<Map<string, Thread>>;
  /** Writes the changes; returns the events with the cursors they got, in order. */
  write(changes: Changes): Awaitable<StoredEvent[]>;
}

/** A store that answers at once (the memory store): the rules then answer at once too. */
export interface SyncStoreTransaction extends StoreTransaction {
  lockClient(clientId: string, epoch: number, principal: string | null): ClientRecord;
  seen(clientId: string, seqs: number[]): ReadonlyMap<number, PushResult>;
  lockThreads(ids: string[]): Map<string, Thread>;
  write(changes: Changes): StoredEvent[];
}

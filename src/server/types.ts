import type { ThreadOp, ThreadPatch } from '../model/ops.js';
import type { Mutator, Thread } from '../model/types.js';
import type { PushRequest, PushResponse } from '../protocol/wire.js';

/*
 * The two seams of the production server (docs/server.md): a store that owns threads, versions,
 * exactly-once pushes and the event log, and a bus that fans the log's new entries out to every
 * instance. `createSyncHandler` speaks protocol v1 (docs/protocol.md) over any pair of them.
 * Implementations: createMemoryStore + createInProcessBus (one process), createPostgresStore +
 * createRedisBus (many instances).
 */

/**
 * One entry of the shared event log. `cursor` is a decimal string of a whole number, strictly
 * increasing across ALL instances (it comes from the store, e.g. a Postgres bigserial), so a
 * stream can resume on any instance. A `patch` entry holds what one version changed (the ops of
 * src/model/ops.ts, the size of the change); a `thread` entry, written when the ops would be
 * larger than the thread, names the version only: the handler reads the thread when it sends the
 * event (streams coalesce to the newest version anyway).
 *
 * Ordering: a store appends entries so that once a reader has seen cursor c, no entry with a
 * cursor below c becomes visible later (e.g. entries are appended under one lock per push
 * transaction, so commit order is cursor order). Gaps are allowed (a rolled-back sequence value).
 */
export type StoredEvent =
  | { cursor: string; type: 'thread'; threadId: string; v: number }
  /** One version step, from `v - 1` to `v`: what it changed (protocol v2, docs/protocol.md). */
  | { cursor: string; type: 'patch'; threadId: string; v: number; ops: ThreadOp[] }
  /** Written by stores before protocol v2 (old PostgreSQL rows); new versions are `patch` entries. */
  | { cursor: string; type: 'delta'; threadId: string; messageId: string; v: number; text: string };

/** Mutators by name (built-ins plus the app's; plus the server-only ones for `serverWrite`). Looked up with `Object.hasOwn`. */
export type MutatorTable = Readonly<Record<string, Mutator>>;

/** The outcome of one mutation the server itself writes. */
export type WriteResult =
  | { status: 'applied'; v: number }
  | { status: 'rejected'; error: { code: string; message: string } };

export interface PushOutcome {
  /** The protocol v1 answer, sent to the client as is. */
  response: PushResponse;
  /** Entries this push appended to the log, in cursor order: the handler publishes them on the bus. */
  events: StoredEvent[];
}

/**
 * Rows of the events log handed to a resuming stream. A read with a `ReplayScope` also says how
 * many entries its window held (`scanned`, visible or not) and the window's last cursor
 * (`through`): the entries it left out are not the reader's to see.
 */
export type EventsRead =
  | { reset: true; head: string }
  | { reset: false; head: string; events: StoredEvent[]; scanned?: number; through?: string };

/**
 * What a resuming stream may read (docs/server.md, "The event stream"): the store reads the
 * window of entries after the cursor by thread id first, asks `visible` once for the distinct
 * threads, and loads only the visible threads' entries. A window over `maxThreads` distinct
 * threads, or whose visible entries weigh over `maxBytes`, is answered `reset`: the client pulls
 * what it watches instead of the server loading it all into one stream.
 */
export interface ReplayScope {
  /** Which of these (distinct) thread ids the reader may see. */
  visible(threadIds: string[]): Promise<ReadonlySet<string>>;
  maxThreads: number;
  /** Bytes of the visible entries, counted as `replayBytes` counts them. */
  maxBytes: number;
}

/**
 * Who sent a request, as `identify` named them (docs/server.md): with a principal, a `clientId`
 * belongs to the principal that first used it, and the store refuses it to anyone else (403,
 * nothing changed, nothing revealed). `principal: null`: no `identify`, a clientId is a bearer secret.
 */
export interface Caller {
  principal: string | null;
}

export interface PullOptions {
  /** The caller understands protocol v2's patches. */
  patches?: boolean;
}

/** What a store answers a pull: the threads newer than known, or (protocol v2) the ops since then. */
export interface PullAnswer {
  cursor: string;
  threads: Thread[];
  patches?: ThreadPatch[];
}

export interface ServerStore {
  /**
   * Applies one already validated push (parsePushRequest) in ONE transaction:
   * - epoch fencing: an epoch below the highest seen for `clientId` throws
   *   `ServerError(409, 'fenced', …)` and changes nothing; otherwise the epoch is recorded;
   * - exactly once per `(clientId, seq)`: a seq seen before answers `duplicate` with the first
   *   result's `v` (or the first `rejected` result as is); a seq below the highest seen that was
   *   never seen answers `rejected` with code `out-of-order`; `lastSeq` is the highest seq seen;
   * - each new mutation runs `mutators[name]` (missing name → `rejected` `unknown-mutator`; a
   *   `MutationError` → `rejected` with its code; any other throw → `rejected` `mutator-failed`)
   *   on the thread, created first at `v: 0` (emptyThread from src/model/mutators.ts, createdAt =
   *   the store's clock) when missing; a rejected mutation changes nothing but is remembered;
   * - every applied mutation, even one that changes nothing, sets `v` to the previous `v` + 1
   *   and appends one entry (src/server/semantics/push.ts, `entryFor`): a `patch` with the ops
   *   that turn the previous version into this one, or `thread` when they would be larger.
   * Mutators see a draft they may change in place and must not keep (immer or a deep copy).
   * Throws only for the whole push (409 fencing, or a storage failure → the handler answers 5xx).
   */
  push(request: PushRequest, mutators: MutatorTable, caller?: Caller): Promise<PushOutcome>;
  /**
   * Threads among `known`'s ids whose `v` is higher than the known version (the handler has
   * already filtered the ids through `authorize`); ids the store does not have are left out.
   * `cursor` is the log head read in the same snapshot (no event after it is reflected in
   * `threads` without also being after `cursor`).
   *
   * With `patches` (a protocol v2 pull), a thread known at a version above 0 whose entries since
   * that version the store still has, all `patch` entries and smaller than the thread, comes as
   * one ThreadPatch in `patches` instead of in `threads` (src/server/semantics/patchSince.ts).
   */
  pull(known: ReadonlyMap<string, number>, options?: PullOptions): Promise<PullAnswer>;
  /**
   * Entries after `cursor` (exclusive), oldest first, at most `limit`; fewer than `limit` means
   * the reader has caught up with `head` as of this read. `reset` when `cursor` is not a decimal
   * whole number, is older than the oldest entry kept, or is newer than the head. Ordered by
   * the cursor's number, never its text ("9" before "10").
   *
   * With `scope` (a resuming stream), the window of at most `limit` entries is filtered before
   * any entry's text is loaded: only entries of threads `scope.visible` names come back, with
   * `scanned` (entries in the window) and `through` (its last cursor); a window over
   * `scope.maxThreads` threads or `scope.maxBytes` of visible entries is a `reset`.
   */
  eventsSince(cursor: string, limit: number, scope?: ReplayScope): Promise<EventsRead>;
  /** The cursor of the newest entry ("0" while the log is empty). */
  head(): Promise<string>;
  /** The current version of a thread; callers never change it. */
  thread(id: string): Promise<Thread | undefined>;
  /**
   * A write by the server itself (an assistant reply): same versioning, thread creation and
   * events as an applied push mutation, no (clientId, seq) bookkeeping. `mutators` includes
   * the server-only ones (e.g. setMessageStatus). Calls on one thread apply in call order, also
   * when not awaited one by one; such calls may share a transaction (group commit).
   */
  serverWrite(
    threadId: string,
    name: string,
    args: unknown,
    mutators: MutatorTable,
  ): Promise<{ result: WriteResult; events: StoredEvent[] }>;
  /** Releases connections the store opened itself (not a pool the app passed in). */
  close(): Promise<void>;
}

export interface ServerBus {
  /** Sends entries to every subscriber of every instance; rejects when the bus is down. */
  publish(events: StoredEvent[]): Promise<void>;
  /**
   * Every event published by any instance (this one included), in cursor order per publisher
   * (entries of different publishers may interleave out of cursor order). `onStatus(false)`
   * when the bus goes down, `onStatus(true)` when it is back: while down the handler ends its
   * streams (clients fall back to polling truthfully) and refuses new ones with 503; resumed
   * streams close the gap with `store.eventsSince`. Returns the unsubscribe function.
   */
  subscribe(listener: (event: StoredEvent) => void, onStatus?: (up: boolean) => void): () => void;
  /** Unsubscribes everything and releases connections the bus opened itself. */
  close(): Promise<void>;
}

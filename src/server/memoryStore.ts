import { systemClock } from '../platform/clock.js';
import type { Clock } from '../platform/clock.js';
import type { Thread } from '../model/types.js';
import type { PushRequest, PushResult } from '../protocol/wire.js';
import { createEventLog } from './eventLog.js';
import { applyPush, applyServerWrites } from './semantics/push.js';
import { scopeRead } from './semantics/replayScope.js';
import type { AppliedMutation } from './semantics/push.js';
import { DEFAULT_IDEMPOTENCY_RETENTION_MS } from './semantics/retention.js';
import type { SyncStoreTransaction } from './semantics/transaction.js';
import { createMemoryClients } from './memoryClients.js';
import { ServerError } from './serverError.js';
import type { Caller, EventsRead, MutatorTable, PullAnswer, PullOptions, PushOutcome, ServerStore, StoredEvent, WriteResult } from './types.js';
import { patchSince } from './semantics/patchSince.js';
import type { ThreadPatch } from '../model/ops.js';

export interface MemoryStoreOptions {
  /** Stamps `createdAt` of the threads a first mutation creates. @default systemClock */
  clock?: Clock;
  /** Event-log entries kept for resuming streams; an older cursor gets `reset`. @default 10000 */
  logLimit?: number;
  /**
   * How long the first result of each (clientId, seq) is kept, and a client's record after its
   * last push; a write re-sent after that answers `rejected` `expired` (docs/server.md,
   * "Idempotency retention"). @default 604800000 (7 days)
   */
  idempotencyRetentionMs?: number;
  /**
   * First results kept at most, all clients together; past it the oldest go first (their
   * re-sends answer `expired`), so memory stays bounded whatever callers send. @default 100000
   */
  maxIdempotencyResults?: number;
}

/** Counters of a memory store since it was created. */
export interface MemoryStoreStats {
  pushes: number;
  pulls: number;
  /** Mutations applied, server writes included. */
  applied: number;
  duplicates: number;
  rejected: number;
  /** Pushes refused with 409 for an older epoch. */
  fenced: number;
  serverWrites: number;
}

/**
 * The memory store's operations as they are, synchronous: the dev server and `syncline/testing`
 * (whose reference backend is built on it) read and write through them without a turn of the
 * event loop. A write made here is not published on any bus: `subscribe` sees it.
 */
export interface MemoryEngine {
  /** @throws ServerError 403 for a clientId another principal owns, 409 for an older epoch. */
  push(request: PushRequest, mutators: MutatorTable, caller?: Caller): PushOutcome;
  serverWrite(threadId: string, name: string, args: unknown, mutators: MutatorTable): { result: WriteResult; events: StoredEvent[] };
  pull(known: ReadonlyMap<string, number>, options?: PullOptions): PullAnswer;
  /** `null`: from now, nothing to replay. */
  eventsSince(cursor: string | null, limit?: number): EventsRead;
  head(): string;
  /** The current version as is: never change it. */
  thread(id: string): Thread | undefined;
  threads(): Thread[];
  /** Every new log entry, synchronously, as it is appended. */
  subscribe(listener: (event: StoredEvent) => void): () => void;
  /** Every applied mutation with its args, after its transaction. */
  subscribeApplied(listener: (applied: AppliedMutation) => void): () => void;
  stats(): MemoryStoreStats;
}

export interface MemoryStore extends ServerStore {
  readonly engine: MemoryEngine;
}

/** The memory store's state and its StoreTransaction (src/server/semantics/transaction.ts). */
export function createMemoryEngine(options: MemoryStoreOptions = {}): MemoryEngine {
  const clock = options.clock ?? systemClock;
  const log = createEventLog(options.logLimit ?? 10_000);
  const threads = new Map<string, Thread>();
  const clients = createMemoryClients(
    options.idempotencyRetentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS,
    options.maxIdempotencyResults ?? 100_000,
  );
  const appliedListeners = new Set<(applied: AppliedMutation) => void>();
  const stats: MemoryStoreStats = { pushes: 0, pulls: 0, applied: 0, duplicates: 0, rejected: 0, fenced: 0, serverWrites: 0 };
  let serverSeq = 0;

  // One call runs to its end before another starts (no await inside): that is the lock.
  const tx: SyncStoreTransaction = {
    lockClient: (clientId, _epoch, principal) => clients.lock(clientId, principal, clock.now()),
    seen(clientId, seqs) {
      const results = clients.results(clientId);
      const seen = new Map<number, PushResult>();
      for (const seq of seqs) {
        const first = results?.get(seq);
        if (first) seen.set(seq, first);
      }
      return seen;
    },
    lockThreads(ids) {
      const found = new Map<string, Thread>();
      for (const id of ids) {
        const thread = threads.get(id);
        if (thread) found.set(id, thread);
      }
      return found;
    },
    write(changes) {
      for (const thread of changes.threads) threads.set(thread.id, thread);
      if (changes.client) clients.write(changes.client, clock.now());
      return changes.events.map((event) => log.append(event));
    },
  };

  function announce(applied: AppliedMutation[]) {
    stats.applied += applied.length;
    for (const a of applied) for (const listener of [...appliedListeners]) listener(a);
  }

  return {
    push(request, mutators, caller) {
      stats.pushes++;
      let outcome;
      clients.prune(clock.now());
      try {
        outcome = applyPush(tx, request, mutators, clock.now(), caller);
      } catch (err) {
        if (err instanceof ServerError && err.status === 409) stats.fenced++;
        throw err;
      }
      stats.duplicates += outcome.counts.duplicates;
      stats.rejected += outcome.counts.rejected;
      announce(outcome.applied);
      return { response: outcome.response, events: outcome.events };
    },
    serverWrite(threadId, name, args, mutators) {
      stats.serverWrites++;
      const seq = ++serverSeq;
      const { outcomes, applied } = applyServerWrites(tx, [{ threadId, name, args, mutators, seq }], clock.now());
      if (outcomes[0]!.result.status === 'rejected') stats.rejected++;
      announce(applied);
      return outcomes[0]!;
    },
    pull(known, options) {
      stats.pulls++;
      const out: Thread[] = [];
      const patches: ThreadPatch[] = [];
      for (const [id, v] of known) {
        const thread = threads.get(id);
        if (!thread || thread.v <= v) continue;
        const patch = options?.patches ? patchSince(thread, v, log.threadSince(id, v)) : undefined;
        if (patch) patches.push(patch);
        else out.push(thread);
      }
      return options?.patches ? { cursor: log.head(), threads: out, patches } : { cursor: log.head(), threads: out };
    },
    eventsSince: (cursor, limit) => log.since(cursor, limit),
    head: () => log.head(),
    thread: (id) => threads.get(id),
    threads: () => [...threads.values()],
    subscribe: (listener) => log.subscribe(listener),
    subscribeApplied(listener) {
      appliedListeners.add(listener);
      return () => appliedListeners.delete(listener);
    },
    stats: () => ({ ...stats }),
  };
}

/**
 * The embedded store: everything in this process's memory, lost on restart. One instance only
 * (its cursors are not shared); for several, use createPostgresStore.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const engine = createMemoryEngine(options);
  const settle = <T>(run: () => T): Promise<T> => {
    try {
      return Promise.resolve(run());
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return {
    engine,
    push: (request, mutators, caller) => settle(() => engine.push(request, mutators, caller)),
    pull: (known, options) => settle(() => engine.pull(known, options)),
    eventsSince(cursor, limit, scope) {
      const read = settle(() => engine.eventsSince(cursor, Math.max(0, limit)));
      return scope ? read.then((r) => scopeRead(r, scope)) : read;
    },
    head: () => Promise.resolve(engine.head()),
    thread: (id) => Promise.resolve(engine.thread(id)),
    serverWrite: (threadId, name, args, mutators) => settle(() => engine.serverWrite(threadId, name, args, mutators)),
    close: () => Promise.resolve(),
  };
}

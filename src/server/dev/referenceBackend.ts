import type { Clock } from '../../platform/clock.js';
import { builtinMutators } from '../../model/mutators.js';
import type { Mutator, Thread } from '../../model/types.js';
import type { PullResponse, PushResponse } from '../../protocol/wire.js';
import { createMemoryEngine } from '../memoryStore.js';
import type { MemoryEngine, MemoryStoreStats } from '../memoryStore.js';
import { ServerError } from '../serverError.js';
import type { EventsRead, StoredEvent, WriteResult } from '../types.js';
import { deepFreeze } from './deepFreeze.js';
import { parsePullRequest, parsePushRequest } from '../requestShape.js';
import { serverMutators } from '../semantics/serverMutators.js';

export interface ReferenceBackendOptions {
  /** Stamps `createdAt` of the threads a first mutation creates. @default systemClock */
  clock?: Clock;
  /** Added to the built-in mutators; the client must register the same ones. @default {} */
  mutators?: Record<string, Mutator>;
  /** Event-log entries kept for resuming streams; an older cursor gets `reset`. @default 10000 */
  logLimit?: number;
  /** The memory store's engine to work on (the dev server shares its store's); `clock` and `logLimit` then do not apply. @default a new one */
  engine?: MemoryEngine;
  /** 2: a pull that asks for protocol v2 gets patches; 1: whole threads only, as a v1 server. @default 2 */
  protocol?: 1 | 2;
}

/** A request the backend refuses as a whole; callers answer it with this HTTP status. */
export class BackendRequestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'BackendRequestError';
    this.status = status;
  }
}

export { SERVER_CLIENT_ID } from '../semantics/push.js';
import type { AppliedMutation as StoreAppliedMutation } from '../semantics/push.js';

/** One applied mutation as the `applied` list shows it (its args go to `subscribeApplied`'s listeners). */
export type AppliedMutation = Omit<StoreAppliedMutation, 'v' | 'args'>;

export interface BackendStats extends MemoryStoreStats {
  /** Requests refused with 400. */
  badRequests: number;
}

export type { WriteResult };

export interface ReferenceBackend {
  /**
   * Applies a push (docs/protocol.md). May keep objects of the request (a custom mutator may store its
   * args): pass a copy.
   * @param mutators replaces the backend's own table for this push (the memory store of
   * `syncline/server` passes the handler's).
   * @throws BackendRequestError 400 for a malformed request, 409 for an older epoch.
   */
  push(request: unknown, mutators?: Readonly<Record<string, Mutator>>): PushResponse;
  /**
   * Threads newer than the versions the client knows, as frozen snapshots.
   * @throws BackendRequestError 400 for a malformed request.
   */
  pull(request: unknown): PullResponse;
  /**
   * A mutation from no client (an assistant reply): same versioning, same events.
   * @param mutators replaces the backend's table (built-ins, the app's and the server-only ones).
   */
  serverWrite(threadId: string, name: string, args: unknown, mutators?: Readonly<Record<string, Mutator>>): WriteResult;
  /** The current event-log head: the cursor a stream opened now starts from. */
  cursor(): string;
  eventsSince(cursor: string | null): EventsRead;
  /** Every new log entry, synchronously, as it is appended. */
  subscribe(listener: (entry: StoredEvent) => void): () => void;
  /** Every applied mutation with its args (for an assistant that answers user messages). */
  subscribeApplied(listener: (applied: AppliedMutation, args: unknown) => void): () => void;
  /** A frozen snapshot. */
  thread(id: string): Thread | undefined;
  /**
   * The current version as is, for code that only serialises it (streams): not frozen, so
   * it must never be changed, nor handed to code that might.
   */
  snapshot(id: string): Thread | undefined;
  threads(): Thread[];
  /** Applied mutations in order: one entry per (clientId, seq) that changed a version. */
  readonly applied: readonly AppliedMutation[];
  stats(): BackendStats;
}

/** The server half of the protocol (v2, or v1 when asked), in memory: the memory store of `syncline/server` seen synchronously, plus request parsing, frozen snapshots and counters. Shared by the fake backend and the dev server. */
export function createReferenceBackend(options: ReferenceBackendOptions = {}): ReferenceBackend {
  const mutators: Record<string, Mutator> = { ...builtinMutators, ...options.mutators };
  const internal: Record<string, Mutator> = { ...mutators, ...serverMutators };
  const protocol = options.protocol ?? 2;
  const engine = options.engine ?? createMemoryEngine({ clock: options.clock, logLimit: options.logLimit });
  const applied: AppliedMutation[] = [];
  const appliedListeners = new Set<(applied: AppliedMutation, args: unknown) => void>();
  let badRequests = 0;
  engine.subscribeApplied(({ clientId, seq, id, threadId, name, args }) => {
    const record = { clientId, seq, id, threadId, name };
    applied.push(record);
    for (const listener of [...appliedListeners]) listener(record, args);
  });

  function parse<T>(raw: unknown, parser: (raw: unknown) => T): T {
    try {
      return parser(raw);
    } catch (err) {
      badRequests++;
      throw new BackendRequestError(400, (err as Error).message);
    }
  }

  return {
    push(raw, table = mutators) {
      const request = parse(raw, parsePushRequest);
      try {
        return engine.push(request, table).response;
      } catch (err) {
        if (err instanceof ServerError) throw new BackendRequestError(err.status, err.message);
        throw err;
      }
    },
    pull(raw) {
      const request = parse(raw, parsePullRequest);
      const patches = protocol === 2 && request.protocol === 2;
      const answer = engine.pull(new Map(Object.entries(request.threads)), { patches });
      const threads = answer.threads.map(deepFreeze);
      return answer.patches ? { cursor: answer.cursor, threads, patches: answer.patches.map(deepFreeze) } : { cursor: answer.cursor, threads };
    },
    serverWrite: (threadId, name, args, table = internal) => engine.serverWrite(threadId, name, args, table).result,
    cursor: () => engine.head(),
    eventsSince: (cursor) => engine.eventsSince(cursor),
    subscribe: (listener) => engine.subscribe(listener),
    subscribeApplied(listener) {
      appliedListeners.add(listener);
      return () => appliedListeners.delete(listener);
    },
    thread: (id) => {
      const thread = engine.thread(id);
      return thread && deepFreeze(thread);
    },
    threads: () => engine.threads().map(deepFreeze),
    snapshot: (id) => engine.thread(id),
    applied,
    stats: () => ({ ...engine.stats(), badRequests }),
  };
}

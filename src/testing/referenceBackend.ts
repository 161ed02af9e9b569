import { systemClock } from '../platform/clock.js';
import type { Clock } from '../platform/clock.js';
import { builtinMutators, emptyThread } from '../model/mutators.js';
import type { Mutator, Thread } from '../model/types.js';
import type { PullResponse, PushResponse, PushResult } from '../protocol/wire.js';
import { createEventLog } from './eventLog.js';
import { deepFreeze } from './deepFreeze.js';
import { nextVersion, refusal } from './nextVersion.js';
import type { LogEntry, LogRead } from './eventLog.js';
import { parsePullRequest, parsePushRequest } from './requestShape.js';
import { serverMutators } from './serverMutators.js';

export interface ReferenceBackendOptions {
  /** Stamps `createdAt` of the threads a first mutation creates. @default systemClock */
  clock?: Clock;
  /** Added to the built-in mutators; the client must register the same ones. @default {} */
  mutators?: Record<string, Mutator>;
  /** Event-log entries kept for resuming streams; an older cursor gets `reset`. @default 10000 */
  logLimit?: number;
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

/** The clientId the `applied` log shows for server-side writes (assistant replies). */
export const SERVER_CLIENT_ID = '@server';

export interface AppliedMutation {
  clientId: string;
  seq: number;
  id: string;
  threadId: string;
  name: string;
}

export interface BackendStats {
  pushes: number;
  pulls: number;
  /** Mutations applied, server writes included. */
  applied: number;
  duplicates: number;
  rejected: number;
  /** Pushes refused with 409 for an older epoch. */
  fenced: number;
  /** Requests refused with 400. */
  badRequests: number;
  serverWrites: number;
}

export type WriteResult =
  | { status: 'applied'; v: number }
  | { status: 'rejected'; error: { code: string; message: string } };

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
  eventsSince(cursor: string | null): LogRead;
  /** Every new log entry, synchronously, as it is appended. */
  subscribe(listener: (entry: LogEntry) => void): () => void;
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

interface ClientState {
  epoch: number;
  lastSeq: number;
  /** The first answer for every seq seen, replayed for duplicates. */
  results: Map<number, PushResult>;
}


/** The server half of protocol v1, in memory. Shared by the fake backend and the dev server. */
export function createReferenceBackend(options: ReferenceBackendOptions = {}): ReferenceBackend {
  const clock = options.clock ?? systemClock;
  const mutators: Record<string, Mutator> = { ...builtinMutators, ...options.mutators };
  const internal: Record<string, Mutator> = { ...mutators, ...serverMutators };
  const log = createEventLog(options.logLimit ?? 10_000);
  const threads = new Map<string, Thread>();
  const clients = new Map<string, ClientState>();
  const applied: AppliedMutation[] = [];
  const appliedListeners = new Set<(applied: AppliedMutation, args: unknown) => void>();
  const stats: BackendStats = {
    pushes: 0,
    pulls: 0,
    applied: 0,
    duplicates: 0,
    rejected: 0,
    fenced: 0,
    badRequests: 0,
    serverWrites: 0,
  };
  let serverSeq = 0;

  function apply(table: Readonly<Record<string, Mutator>>, record: AppliedMutation, args: unknown): WriteResult {
    const { threadId } = record;
    const next = nextVersion(table, record.name, threads.get(threadId) ?? emptyThread(threadId, clock.now()), threadId, args);
    if ('status' in next) return next;
    threads.set(threadId, next);
    applied.push(record);
    stats.applied++;
    if (record.name === 'appendDelta') {
      const { messageId, text } = args as { messageId: string; text: string };
      log.append({ type: 'delta', threadId, messageId, v: next.v, text });
    } else {
      log.append({ type: 'thread', threadId, v: next.v });
    }
    for (const listener of [...appliedListeners]) listener(record, args);
    return { status: 'applied', v: next.v };
  }

  function client(clientId: string): ClientState {
    let state = clients.get(clientId);
    if (!state) {
      state = { epoch: 0, lastSeq: 0, results: new Map() };
      clients.set(clientId, state);
    }
    return state;
  }

  return {
    push(raw, table = mutators) {
      stats.pushes++;
      let request;
      try {
        request = parsePushRequest(raw);
      } catch (err) {
        stats.badRequests++;
        throw new BackendRequestError(400, (err as Error).message);
      }
      const state = client(request.clientId);
      if (request.epoch < state.epoch) {
        stats.fenced++;
        throw new BackendRequestError(
          409,
          `Epoch ${request.epoch} is older than ${state.epoch}: another writer took over client ${request.clientId}.`,
        );
      }
      state.epoch = request.epoch;
      const results: PushResult[] = [];
      for (const m of request.mutations) {
        const first = state.results.get(m.seq);
        if (first) {
          stats.duplicates++;
          results.push(first.status === 'rejected' ? first : { seq: m.seq, status: 'duplicate', v: first.v! });
          continue;
        }
        if (m.seq < state.lastSeq) {
          stats.rejected++;
          results.push({
            seq: m.seq,
            ...refusal('out-of-order', `seq ${m.seq} arrived after seq ${state.lastSeq} of the same client.`),
          });
          continue;
        }
        state.lastSeq = m.seq;
        const record = { clientId: request.clientId, seq: m.seq, id: m.id, threadId: m.threadId, name: m.name };
        const outcome = apply(table, record, m.args);
        if (outcome.status === 'rejected') stats.rejected++;
        const result: PushResult = { seq: m.seq, ...outcome };
        state.results.set(m.seq, result);
        results.push(result);
      }
      return { lastSeq: state.lastSeq, results };
    },

    pull(raw) {
      stats.pulls++;
      let request;
      try {
        request = parsePullRequest(raw);
      } catch (err) {
        stats.badRequests++;
        throw new BackendRequestError(400, (err as Error).message);
      }
      const out: Thread[] = [];
      for (const [id, known] of Object.entries(request.threads)) {
        const thread = threads.get(id);
        if (thread && thread.v > known) out.push(deepFreeze(thread));
      }
      return { cursor: log.head(), threads: out };
    },

    serverWrite(threadId, name, args, table = internal) {
      if (typeof threadId !== 'string' || threadId === '') {
        return refusal('invalid-args', 'serverWrite needs a threadId.');
      }
      stats.serverWrites++;
      serverSeq++;
      const record = { clientId: SERVER_CLIENT_ID, seq: serverSeq, id: `server-${serverSeq}`, threadId, name };
      const outcome = apply(table, record, args);
      if (outcome.status === 'rejected') stats.rejected++;
      return outcome;
    },

    cursor: () => log.head(),
    eventsSince: (cursor) => log.since(cursor),
    subscribe: (listener) => log.subscribe(listener),
    subscribeApplied(listener) {
      appliedListeners.add(listener);
      return () => appliedListeners.delete(listener);
    },
    thread: (id) => {
      const thread = threads.get(id);
      return thread && deepFreeze(thread);
    },
    threads: () => [...threads.values()].map(deepFreeze),
    snapshot: (id) => threads.get(id),
    applied,
    stats: () => ({ ...stats }),
  };
}

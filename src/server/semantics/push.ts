import { diffThreads } from '../../model/diffThreads.js';
import { emptyThread } from '../../model/mutators.js';
import { opsAreSmaller } from '../../model/opsAreSmaller.js';
import type { Thread } from '../../model/types.js';
import type { PushRequest, PushResponse, PushResult } from '../../protocol/wire.js';
import { ServerError } from '../serverError.js';
import type { Caller, MutatorTable, StoredEvent, WriteResult } from '../types.js';
import { nextVersion, refusal } from './nextVersion.js';
import { expiredMessage, judge } from './retention.js';
import { andThen } from './transaction.js';
import type { Awaitable, Changes, ClientRecord, NewEvent, RecordedResult, StoreTransaction, SyncStoreTransaction } from './transaction.js';

/*
 * The rules of a push and of a server write, once, for every store (ServerStore in
 * src/server/types.ts; docs/architecture.md, "Server"): epoch fencing, exactly once per (clientId, seq) with the first result
 * replayed, out-of-order refusal, one version per applied mutation (a new thread starts at v 0)
 * and the log entry each version produces (its ops). Stores only provide the StoreTransaction.
 */

/** A mutation a push or a server write applied, with its args (an assistant answers user messages from it). */
export interface AppliedMutation {
  clientId: string;
  seq: number;
  id: string;
  threadId: string;
  name: string;
  v: number;
  args: unknown;
}

export interface PushOutcomeWithApplied {
  response: PushResponse;
  events: StoredEvent[];
  applied: AppliedMutation[];
  /** Answers replayed for seqs seen before, and refusals (out-of-order or from the mutator). */
  counts: { duplicates: number; rejected: number };
}

/** A server write; `seq` numbers it among the applied mutations. */
export interface ServerWrite {
  threadId: string;
  name: string;
  args: unknown;
  mutators: MutatorTable;
  seq: number;
}

export interface ServerWritesOutcome {
  /** One per write, in order: its result and the events it appended. */
  outcomes: { result: WriteResult; events: StoredEvent[] }[];
  applied: AppliedMutation[];
}

/** The clientId the applied mutations show for server-side writes (assistant replies). */
export const SERVER_CLIENT_ID = '@server';

/** PostgreSQL text cannot hold U+0000: no store accepts an id holding one, so all stores agree. */
export const hasNul = (text: string) => text.includes('\u0000');

/**
 * The log entry one version produces (protocol v2, docs/protocol.md): the ops that turn `base`
 * into `next`, whichever mutator made it (diffThreads relies on immer sharing what did not
 * change, so this costs the size of the change), or the version alone when the ops would be
 * larger than the thread, which the stream then sends whole.
 */
export function entryFor(base: Thread, next: Thread): NewEvent {
  const ops = diffThreads(base, next);
  return opsAreSmaller(ops, next) ? { type: 'patch', threadId: next.id, v: next.v, ops } : { type: 'thread', threadId: next.id, v: next.v };
}

/** An epoch below the highest seen means another writer took the outbox over: the whole push is refused. */
function fence(request: PushRequest, client: ClientRecord) {
  if (request.epoch < client.epoch) {
    throw new ServerError(
      409,
      'fenced',
      `Epoch ${request.epoch} is older than ${client.epoch}: another writer took over client ${request.clientId}.`,
    );
  }
}

/**
 * A clientId belongs to the first principal that used it: another one is refused before
 * anything is read or changed, so no result, epoch or seq of the owner is revealed.
 */
function checkOwner(request: PushRequest, client: ClientRecord, caller: Caller | undefined) {
  const principal = caller?.principal ?? null;
  if (principal !== null && client.principal !== principal) {
    throw new ServerError(403, 'forbidden', `Client ${request.clientId} belongs to another user: use a clientId of your own.`);
  }
}

/** The threads the push's new mutations touch (duplicates and out-of-order seqs touch none). */
function touchedThreads(request: PushRequest, client: ClientRecord, seen: ReadonlyMap<number, PushResult>): string[] {
  const touched = new Set<string>();
  let last = client.lastSeq;
  for (const m of request.mutations) {
    const verdict = judge(m, client, seen, last);
    if (verdict === 'duplicate' || verdict === 'out-of-order') continue;
    last = Math.max(last, m.seq);
    if (verdict === 'new' && !hasNul(m.threadId)) touched.add(m.threadId);
  }
  return [...touched];
}

/** The threads of one transaction as loaded, and as its mutations leave them. */
class Workspace {
  readonly changed = new Set<string>();
  readonly events: NewEvent[] = [];
  constructor(
    readonly threads: Map<string, Thread>,
    private readonly now: number,
  ) {}

  apply(mutators: MutatorTable, threadId: string, name: string, args: unknown): WriteResult {
    const base = this.threads.get(threadId) ?? emptyThread(threadId, this.now);
    const next = nextVersion(mutators, name, base, threadId, args);
    if ('status' in next) return next;
    this.threads.set(threadId, next);
    this.changed.add(threadId);
    this.events.push(entryFor(base, next));
    return { status: 'applied', v: next.v };
  }

  changedThreads = () => [...this.changed].map((id) => this.threads.get(id)!);
}

function runMutations(
  request: PushRequest,
  client: ClientRecord,
  seen: ReadonlyMap<number, PushResult>,
  space: Workspace,
  mutators: MutatorTable,
) {
  const results: PushResult[] = [];
  const recorded: RecordedResult[] = [];
  const applied: AppliedMutation[] = [];
  const firsts = new Map(seen);
  const counts = { duplicates: 0, rejected: 0 };
  let lastSeq = client.lastSeq;
  let prunedSeq = client.prunedSeq;
  for (const m of request.mutations) {
    const verdict = judge(m, client, firsts, lastSeq);
    if (verdict === 'duplicate') {
      const first = firsts.get(m.seq)!;
      counts.duplicates++;
      results.push(first.status === 'rejected' ? first : { seq: m.seq, status: 'duplicate', v: first.v! });
      continue;
    }
    if (verdict === 'out-of-order') {
      counts.rejected++;
      results.push({ seq: m.seq, ...refusal('out-of-order', `seq ${m.seq} arrived after seq ${lastSeq} of the same client.`) });
      continue;
    }
    if (verdict === 'expired') {
      // Not recorded: a later copy of this seq gets the same answer, through prunedSeq.
      counts.rejected++;
      prunedSeq = Math.max(prunedSeq, m.seq);
      lastSeq = Math.max(lastSeq, m.seq);
      results.push({ seq: m.seq, ...refusal('expired', expiredMessage(m.seq, request.clientId)) });
      continue;
    }
    lastSeq = m.seq;
    const result: WriteResult =
      hasNul(m.threadId) || hasNul(m.name) || hasNul(m.id)
        ? refusal('invalid-args', 'threadId, name and id must not contain U+0000.')
        : space.apply(mutators, m.threadId, m.name, m.args);
    if (result.status === 'rejected') counts.rejected++;
    else applied.push({ clientId: request.clientId, seq: m.seq, id: m.id, threadId: m.threadId, name: m.name, v: result.v, args: m.args });
    const pushResult: PushResult = { seq: m.seq, ...result };
    firsts.set(m.seq, pushResult);
    results.push(pushResult);
    recorded.push({ seq: m.seq, id: m.id, threadId: m.threadId, name: m.name, result });
  }
  return { response: { lastSeq, results }, recorded, applied, counts, prunedSeq };
}

/**
 * Applies one validated push through a store's transaction. Throws, before changing anything,
 * `ServerError(400, 'bad-request')` for a clientId holding U+0000,
 * `ServerError(403, 'forbidden')` for a clientId another principal owns and
 * `ServerError(409, 'fenced')` for an older epoch.
 */
export function applyPush(
  tx: SyncStoreTransaction,
  request: PushRequest,
  mutators: MutatorTable,
  now: number,
  caller?: Caller,
): PushOutcomeWithApplied;
export function applyPush(
  tx: StoreTransaction,
  request: PushRequest,
  mutators: MutatorTable,
  now: number,
  caller?: Caller,
): Awaitable<PushOutcomeWithApplied>;
export function applyPush(
  tx: StoreTransaction,
  request: PushRequest,
  mutators: MutatorTable,
  now: number,
  caller?: Caller,
): Awaitable<PushOutcomeWithApplied> {
  const { clientId, epoch } = request;
  // parsePushRequest refuses it already; a store called directly must not keep such a client.
  if (hasNul(clientId)) throw new ServerError(400, 'bad-request', 'clientId must not contain U+0000.');
  return andThen(tx.lockClient(clientId, epoch, caller?.principal ?? null), (client) => {
    checkOwner(request, client, caller);
    fence(request, client);
    const seqs = request.mutations.map((m) => m.seq);
    return andThen(seqs.length > 0 ? tx.seen(clientId, seqs) : new Map<number, PushResult>(), (seen) =>
      andThen(tx.lockThreads(touchedThreads(request, client, seen)), (threads) => {
        const space = new Workspace(threads, now);
        const { response, recorded, applied, counts, prunedSeq } = runMutations(request, client, seen, space, mutators);
        const changes: Changes = {
          threads: space.changedThreads(),
          client: { clientId, epoch, lastSeq: response.lastSeq, prunedSeq, recorded },
          events: space.events,
        };
        return andThen(tx.write(changes), (events) => ({ response, events, applied, counts }));
      }),
    );
  });
}

/**
 * Writes by the server itself (an assistant reply's tokens), in call order in one transaction:
 * the versions and events of a push's mutations, no (clientId, seq) bookkeeping. Each write gets
 * its own result and the events it produced; a refused write changes nothing and the rest go on.
 */
export function applyServerWrites(tx: SyncStoreTransaction, writes: readonly ServerWrite[], now: number): ServerWritesOutcome;
export function applyServerWrites(tx: StoreTransaction, writes: readonly ServerWrite[], now: number): Awaitable<ServerWritesOutcome>;
export function applyServerWrites(tx: StoreTransaction, writes: readonly ServerWrite[], now: number): Awaitable<ServerWritesOutcome> {
  const valid = (w: ServerWrite) => typeof w.threadId === 'string' && w.threadId !== '' && !hasNul(w.threadId);
  const ids = [...new Set(writes.filter(valid).map((w) => w.threadId))];
  return andThen(ids.length > 0 ? tx.lockThreads(ids) : new Map<string, Thread>(), (threads) => {
    const space = new Workspace(threads, now);
    const applied: AppliedMutation[] = [];
    const steps = writes.map((w) => {
      const from = space.events.length;
      const result = valid(w) ? space.apply(w.mutators, w.threadId, w.name, w.args) : refusal('invalid-args', 'serverWrite needs a threadId.');
      if (result.status === 'applied') {
        applied.push({ clientId: SERVER_CLIENT_ID, seq: w.seq, id: `server-${w.seq}`, threadId: w.threadId, name: w.name, v: result.v, args: w.args });
      }
      return { result, from, to: space.events.length };
    });
    if (space.events.length === 0) return { outcomes: steps.map(({ result }) => ({ result, events: [] })), applied };
    return andThen(tx.write({ threads: space.changedThreads(), events: space.events }), (events) => ({
      outcomes: steps.map(({ result, from, to }) => ({ result, events: events.slice(from, to) })),
      applied,
    }));
  });
}

import type { ThreadOp } from '../../model/ops.js';
import type { EventsRead, ReplayScope, StoredEvent } from '../types.js';

/*
 * What a resuming stream reads from the log (ReplayScope in src/server/types.ts; docs/server.md,
 * "The event stream"), decided once for every store: the window after the cursor is judged by
 * its threads and their weight before any entry's text is handed over, so a reader behind
 * another tenant's megabytes of deltas neither receives nor makes the server hold them.
 */

const opsLengths = new WeakMap<readonly ThreadOp[], number>();
/** The JSON length of one entry's ops (UTF-16 units), computed once per entry: every stream asks. */
export function opsLength(ops: readonly ThreadOp[]): number {
  let n = opsLengths.get(ops);
  if (n === undefined) opsLengths.set(ops, (n = JSON.stringify(ops).length));
  return n;
}

/** What an entry weighs in a replay or a stream's queue: a fixed part and its text or ops, 3 bytes per UTF-16 unit at most. */
export const replayBytes = (entry: StoredEvent): number =>
  64 + (entry.type === 'delta' ? entry.text.length * 3 : entry.type === 'patch' ? opsLength(entry.ops) * 3 : 0);

/**
 * The threads of a window the reader may see, or `null` when the window must be answered
 * `reset`: more distinct threads than `scope.maxThreads` (`visible` is then never asked), or
 * visible entries weighing more than `scope.maxBytes`.
 * @param weights bytes of each thread's entries in the window
 */
export async function visibleThreads(weights: ReadonlyMap<string, number>, scope: ReplayScope): Promise<ReadonlySet<string> | null> {
  if (weights.size > scope.maxThreads) return null;
  const visible = weights.size === 0 ? new Set<string>() : await scope.visible([...weights.keys()]);
  let bytes = 0;
  for (const [threadId, weight] of weights) if (visible.has(threadId)) bytes += weight;
  return bytes > scope.maxBytes ? null : visible;
}

/** A window a store holds in memory anyway (the memory store), scoped: only visible entries are kept. */
export async function scopeRead(read: EventsRead, scope: ReplayScope): Promise<EventsRead> {
  if (read.reset) return read;
  const weights = new Map<string, number>();
  for (const entry of read.events) weights.set(entry.threadId, (weights.get(entry.threadId) ?? 0) + replayBytes(entry));
  const visible = await visibleThreads(weights, scope);
  if (visible === null) return { reset: true, head: read.head };
  const last = read.events[read.events.length - 1];
  return {
    reset: false,
    head: read.head,
    events: read.events.filter((e) => visible.has(e.threadId)),
    scanned: read.events.length,
    through: last?.cursor ?? read.head,
  };
}

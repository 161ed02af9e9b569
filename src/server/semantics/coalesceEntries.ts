import type { ThreadPatch } from '../../model/ops.js';
import { opsAreSmaller } from '../../model/opsAreSmaller.js';
import type { Thread } from '../../model/types.js';
import type { ServerEvent } from '../../protocol/wire.js';
import type { StoredEvent } from '../types.js';
import { opsLength } from './replayScope.js';

/** What a stream speaks (docs/protocol.md, "Negotiation"): 2 when it asked with `?protocol=2`. */
export type StreamProtocol = 1 | 2;

/**
 * Past this many UTF-16 units of ops, a v2 stream checks the run of patches against the thread
 * and sends the thread when it is the smaller (a value set again and again grows the ops, not the
 * thread). Below it, the ops are sent without reading the thread.
 */
const CHECK_OPS_LENGTH = 16_384;


/** A v1 stream sends a version as a `delta` only when it is one append to a message's content, as v1's deltas were. */
function asDelta(entry: StoredEvent): { messageId: string; text: string } | null {
  if (entry.type === 'delta') return entry;
  if (entry.type !== 'patch' || entry.ops.length !== 1) return null;
  const op = entry.ops[0]!;
  return op.op === 'append' && op.path.length === 1 && op.path[0] === 'content' ? { messageId: op.id, text: op.text } : null;
}

/**
 * A v2 stream sends a thread whole for a `thread` entry, an old `delta` row, and a thread's first
 * version: no client holds version 0 (its createdAt is the server's), so a patch from it would only
 * make the client pull.
 */
const needsWhole = (e: StoredEvent) => e.type !== 'patch' || e.v === 1;

/**
 * The threads of a batch a stream must read before `coalesceEntries` (the newest version named):
 * v1 sends a thread whole for anything but content appends; v2 for `thread` entries, old `delta`
 * rows, and runs of ops long enough to be weighed against the thread.
 */
export function snapshotsNeeded(entries: readonly StoredEvent[], protocol: StreamProtocol): Map<string, number> {
  const length = new Map<string, number>();
  const needed = new Map<string, number>();
  for (const e of entries) {
    let whole: boolean;
    if (protocol === 1) whole = asDelta(e) === null;
    else if (needsWhole(e) || e.type !== 'patch') whole = true;
    else {
      const n = (length.get(e.threadId) ?? 0) + opsLength(e.ops);
      length.set(e.threadId, n);
      whole = n > CHECK_OPS_LENGTH;
    }
    if (whole || needed.has(e.threadId)) needed.set(e.threadId, Math.max(needed.get(e.threadId) ?? 0, e.v));
  }
  return needed;
}

/**
 * Turns the log entries queued for one stream into the events it sends.
 *
 * Protocol v1: every change of a thread that has at least one entry other than a content append
 * in the batch goes out as ONE `thread` event with its latest snapshot (a 10 000-write burst must
 * not serialise a growing thread 10 000 times); a thread with appends only keeps them as `delta`s.
 * Protocol v2: a thread's patches in the batch go out as one `patch` event (a run of versions),
 * or as its snapshot when the batch holds a whole-thread entry or the ops outweigh the thread.
 * `sentV` (per stream) drops anything not newer than what was sent.
 *
 * Ids stay honest under coalescing: an event's id is the newest cursor such that every entry up
 * to it has been sent (or folded into a sent snapshot or run), so resuming from it loses nothing.
 *
 * @param snapshot the threads `snapshotsNeeded` named, read by the caller
 */
export function coalesceEntries(
  entries: readonly StoredEvent[],
  sentV: Map<string, number>,
  startCursor: string,
  snapshot: (threadId: string) => Thread | undefined,
  protocol: StreamProtocol = 1,
): ServerEvent[] {
  const whole = new Set<string>();
  for (const e of entries) if (protocol === 1 ? asDelta(e) === null : needsWhole(e)) whole.add(e.threadId);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < entries.length; i++) {
    const id = entries[i]!.threadId;
    const group = groups.get(id);
    if (group) group.push(i);
    else groups.set(id, [i]);
  }

  const done = new Uint8Array(entries.length);
  let prefix = 0;
  const cursor = () => {
    while (prefix < entries.length && done[prefix]) prefix++;
    return prefix === 0 ? startCursor : entries[prefix - 1]!.cursor;
  };
  const out: ServerEvent[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const sent = sentV.get(e.threadId) ?? -1;
    if (protocol === 1 && !whole.has(e.threadId)) {
      done[i] = 1;
      const delta = asDelta(e);
      if (!delta || e.v <= sent) continue;
      sentV.set(e.threadId, e.v);
      out.push({ type: 'delta', id: cursor(), threadId: e.threadId, messageId: delta.messageId, v: e.v, text: delta.text });
      continue;
    }
    const group = groups.get(e.threadId)!;
    if (group[group.length - 1] !== i) continue;
    for (const j of group) done[j] = 1;
    const list = group.map((j) => entries[j]!);
    const runs = whole.has(e.threadId) ? null : patchRuns(list, sent);
    // Weighed only past the length snapshotsNeeded reads the thread for: every caller decides alike.
    const long = runs !== null && list.reduce((n, x) => n + (x.type === 'patch' ? opsLength(x.ops) : 0), 0) > CHECK_OPS_LENGTH;
    const thread = runs && !(long && runsOutweigh(runs, snapshot(e.threadId))) ? null : snapshot(e.threadId);
    if (runs && thread === null) {
      // Only ops, or ops smaller than the snapshot read for weighing them.
      const id = cursor();
      for (const patch of runs) out.push({ type: 'patch', id, patch });
      if (runs.length > 0) sentV.set(e.threadId, runs[runs.length - 1]!.v);
      continue;
    }
    if (!thread || thread.v <= sent) continue;
    sentV.set(e.threadId, thread.v);
    out.push({ type: 'thread', id: cursor(), thread });
  }
  return out;
}

/** One thread's patch entries as runs of consecutive versions, past what the stream sent. */
function patchRuns(list: readonly StoredEvent[], sent: number): ThreadPatch[] {
  const runs: ThreadPatch[] = [];
  for (const e of list) {
    if (e.type !== 'patch' || e.v <= sent) continue;
    const last = runs[runs.length - 1];
    if (last && last.v === e.v - 1) {
      for (const op of e.ops) last.ops.push(op);
      last.v = e.v;
    } else runs.push({ threadId: e.threadId, fromV: e.v - 1, v: e.v, ops: [...e.ops] });
  }
  return runs;
}

/** Whether a snapshot the caller read (because the ops are long) is smaller than the runs' ops. */
function runsOutweigh(runs: readonly ThreadPatch[], thread: Thread | undefined): boolean {
  if (!thread || runs.length !== 1) return false;
  return !opsAreSmaller(runs[0]!.ops, thread);
}

/**
 * How long a stream waits before its next flush. A thread event carries the whole thread: after
 * a heavy flush (a bulk drain into long threads) the next waits about 1 ms per 20 messages sent,
 * up to a second, so open streams are not flooded with snapshots; small changes still go out
 * within `minMs`.
 */
export function nextFlushDelay(sent: readonly ServerEvent[], minMs: number): number {
  const messages = sent.reduce((n, e) => n + (e.type === 'thread' ? e.thread.messages.length : 0), 0);
  return Math.max(minMs, Math.min(1000, Math.round(messages / 20)));
}

import { deepEqual } from './deepEqual.js';
import { isRecord } from './isRecord.js';
import type { OpPath, ThreadOp } from './ops.js';
import type { BaseMessage, Thread } from './types.js';

/** Fields every thread has that ops never set: the id, the version and the messages (message ops). */
const OWN_FIELDS = new Set(['id', 'v', 'messages']);

/**
 * The ops that turn `before` into `after` (docs/protocol.md, "Protocol v2"), whatever mutator made
 * `after`: the built-ins or the app's own. Relies on immer's structural sharing: whatever did not
 * change is the same object, so unchanged messages are skipped by identity and the cost is the
 * size of the change (plus the scan for the common prefix and suffix of the message list).
 *
 * - Messages: the common prefix and suffix by identity; in between, messages present on one side
 *   only are inserted or removed, and a message kept under its id is diffed field by field.
 * - Inside a message: `set` / `unset` at the deepest changed path, `append` when a string grew by
 *   a suffix (a streamed token is one `append` at `['content']`), items pushed to the end of an
 *   array set one by one; an array that shrank is set whole.
 * - Thread fields other than `id`, `v` and `messages` become `thread` ops.
 *
 * `applyOps(before, diffThreads(before, after))` equals `after` (a key holding `undefined` counts
 * as absent, as in JSON).
 */
export function diffThreads<M extends BaseMessage>(before: Thread<M>, after: Thread<M>): ThreadOp[] {
  const ops: ThreadOp[] = [];
  if (before === after) return ops;
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  for (const key of unionKeys(b, a)) {
    if (OWN_FIELDS.has(key)) continue;
    const was = own(b, key);
    const is = own(a, key);
    if (was === is || deepEqual(was, is)) continue;
    ops.push(is === undefined ? { op: 'thread', key } : { op: 'thread', key, value: is });
  }
  if (before.messages !== after.messages) diffMessages(before.messages, after.messages, ops);
  return ops;
}

function diffMessages(was: readonly BaseMessage[], is: readonly BaseMessage[], ops: ThreadOp[]) {
  const shorter = Math.min(was.length, is.length);
  let start = 0;
  while (start < shorter && was[start] === is[start]) start++;
  let end = 0;
  while (end < shorter - start && was[was.length - 1 - end] === is[is.length - 1 - end]) end++;
  const removed = was.slice(start, was.length - end);
  const added = is.slice(start, is.length - end);
  const addedIds = new Set(added.map((m) => m.id));
  const removedIds = new Set(removed.map((m) => m.id));
  // The list as the ops so far left it: is[0, start + j) ++ removed[i, …) ++ the common suffix.
  let i = 0;
  let j = 0;
  while (i < removed.length || j < added.length) {
    const old = removed[i];
    const next = added[j];
    const at = start + j;
    if (old && next && old.id === next.id) {
      diffValue(at, old.id, [], old, next, ops);
      i++;
      j++;
    } else if (next && (!old || !removedIds.has(next.id))) {
      ops.push({ op: 'insert', at, message: next });
      j++;
    } else {
      // Gone, or moved further down: removed here, inserted again where it now is.
      if (addedIds.has(old!.id)) removedIds.delete(old!.id);
      ops.push({ op: 'remove', at, id: old!.id });
      i++;
    }
  }
}

function diffValue(at: number, id: string, path: OpPath, was: unknown, is: unknown, ops: ThreadOp[]) {
  if (was === is) return;
  if (typeof was === 'string' && typeof is === 'string' && path.length > 0 && is.length > was.length && is.startsWith(was)) {
    ops.push({ op: 'append', at, id, path, text: is.slice(was.length) });
  } else if (isRecord(was) && isRecord(is) && isPlain(was) && isPlain(is)) {
    for (const key of unionKeys(was, is)) {
      const before = own(was, key);
      const after = own(is, key);
      if (after === undefined) {
        if (before !== undefined) ops.push({ op: 'unset', at, id, path: [...path, key] });
      } else diffValue(at, id, [...path, key], before, after, ops);
    }
  } else if (Array.isArray(was) && Array.isArray(is) && is.length >= was.length) {
    for (let k = 0; k < is.length; k++) {
      if (k < was.length) diffValue(at, id, [...path, k], was[k], is[k], ops);
      else ops.push({ op: 'set', at, id, path: [...path, k], value: is[k] });
    }
  } else if (!deepEqual(was, is)) {
    ops.push({ op: 'set', at, id, path, value: is });
  }
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function unionKeys(a: object, b: object): string[] {
  const keys = Object.keys(b);
  for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) keys.push(key);
  return keys;
}

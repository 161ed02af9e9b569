import type { ThreadOp, ThreadPatch } from '../../model/ops.js';
import { opsAreSmaller } from '../../model/opsAreSmaller.js';
import type { Thread } from '../../model/types.js';
import type { StoredEvent } from '../types.js';

/*
 * What a protocol v2 pull answers for one thread (docs/protocol.md, "When the server sends a whole
 * thread instead"), decided once for every store: the ops since the version the client holds
 * when the store still has every step since then as a `patch` entry and they are smaller than
 * the thread; else the thread.
 */

/**
 * One patch from `knownV` to `thread.v`, or `undefined` when the thread must be sent whole.
 * @param entries the thread's log entries after `knownV`, in version order (a store may pass
 *   more or fewer than needed: anything but the exact run of steps knownV+1 … thread.v is refused)
 */
export function patchSince(thread: Thread, knownV: number, entries: readonly StoredEvent[]): ThreadPatch | undefined {
  if (!(knownV > 0) || knownV >= thread.v) return undefined;
  const ops: ThreadOp[] = [];
  let v = knownV;
  for (const entry of entries) {
    if (entry.v <= v) continue; // a repeat: stores may read a little before knownV
    if (entry.type !== 'patch' || entry.v !== v + 1 || entry.threadId !== thread.id) return undefined;
    for (const op of entry.ops) ops.push(op);
    v = entry.v;
    if (v === thread.v) break;
  }
  if (v !== thread.v || !opsAreSmaller(ops, thread)) return undefined;
  return { threadId: thread.id, fromV: knownV, v, ops };
}

import type { PendingWrite } from '../core/types.js';

const groups = new WeakMap<readonly PendingWrite[], Map<string, PendingWrite[]>>();

/**
 * The pending writes by thread, computed once per version of the outbox's list (it keeps its
 * identity until something changes): a drain of 20 000 writes must not filter the whole queue
 * for every thread on every frame.
 */
export function groupPending(list: readonly PendingWrite[]): Map<string, PendingWrite[]> {
  let byThread = groups.get(list);
  if (!byThread) {
    byThread = new Map();
    for (const write of list) {
      const group = byThread.get(write.threadId);
      if (group) group.push(write);
      else byThread.set(write.threadId, [write]);
    }
    groups.set(list, byThread);
  }
  return byThread;
}

import type { PendingWrite } from '../model/types.js';

/** The items by key, each group in the items' order. */
export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** One shared empty list: "no writes" keeps its identity too. */
export const NO_WRITES: PendingWrite[] = [];

const cache = new WeakMap<readonly PendingWrite[], Map<string, PendingWrite[]>>();

/**
 * The pending writes by thread, computed once per version of the outbox's list (it keeps its
 * identity until something changes): a drain of 20 000 writes must not filter the whole queue
 * for every thread on every frame.
 */
export function groupPending(list: readonly PendingWrite[]): Map<string, PendingWrite[]> {
  let byThread = cache.get(list);
  if (!byThread) cache.set(list, (byThread = groupBy(list, (write) => write.threadId)));
  return byThread;
}

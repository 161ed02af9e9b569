import type { Thread } from '../model/types.js';
import type { ServerStore } from './types.js';

/**
 * Threads kept: streams share a version within one flush (50 ms), so a few recent ones suffice,
 * and long threads are not held by the hundred. The oldest read goes first.
 */
const KEPT = 64;

/**
 * Thread versions shared by every stream of a handler: one store read per new version, however
 * many streams send it (and, the object being the same, one serialisation: src/server/sharedFrames.ts).
 * Returns the thread at version `v` or newer.
 */
export function createThreadSnapshots(store: ServerStore): (threadId: string, v: number) => Promise<Thread | undefined> {
  const kept = new Map<string, Thread>();
  const reading = new Map<string, Promise<Thread | undefined>>();

  async function snapshot(threadId: string, v: number, again = true): Promise<Thread | undefined> {
    const cached = kept.get(threadId);
    if (cached && cached.v >= v) return cached;
    let read = reading.get(threadId);
    if (!read) {
      read = store.thread(threadId).finally(() => reading.delete(threadId));
      reading.set(threadId, read);
    }
    const thread = await read;
    if (thread && (kept.get(threadId)?.v ?? -1) < thread.v) {
      kept.delete(threadId);
      kept.set(threadId, thread);
      if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
    }
    // Joined a read that started before the newest write committed: read once more.
    if (again && thread && thread.v < v) return snapshot(threadId, v, false);
    return thread;
  }
  return (threadId, v) => snapshot(threadId, v);
}

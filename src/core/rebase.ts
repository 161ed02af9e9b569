import { produce } from 'immer';
import { emptyThread } from './mutators.js';
import type { Mutator, Thread } from './types.js';

export interface WriteLike {
  name: string;
  args: unknown;
  createdAt: number;
}

/**
 * Applies writes in order, each in its own immer draft: a mutator that throws half-way (a
 * rejected edit of a missing message, a custom mutator's bug) leaves no partial change behind,
 * and unchanged messages keep their identity.
 */
export function applyWrites(
  base: Thread,
  writes: readonly WriteLike[],
  mutators: Record<string, Mutator>,
): Thread {
  let thread = base;
  for (const write of writes) {
    const mutator = mutators[write.name];
    if (!mutator) continue;
    try {
      thread = produce(thread, (draft) => {
        mutator(draft, write.args);
      });
    } catch {
      // The server will refuse it too; until then the view simply does not show it.
    }
  }
  return thread;
}

/**
 * The optimistic view (DESIGN §4): the confirmed server thread with the writes still in play
 * re-applied in order. A thread nobody confirmed yet starts from the same empty thread the
 * server creates for a first mutation.
 */
export function rebase(
  threadId: string,
  confirmed: Thread | undefined,
  writes: readonly WriteLike[],
  mutators: Record<string, Mutator>,
): Thread | undefined {
  if (!confirmed && writes.length === 0) return undefined;
  const base = confirmed ?? emptyThread(threadId, writes[0]!.createdAt);
  return writes.length === 0 ? base : applyWrites(base, writes, mutators);
}

import { Immer } from 'immer';
import { builtinMutators, emptyThread } from './mutators.js';
import type { Mutator, Thread } from './types.js';

/**
 * The client's own immer: without auto-freeze, which walks every message of a thread on every
 * write (O(thread) per token). Views are still never mutated: every change makes a new object.
 */
export const immer = new Immer({ autoFreeze: false });

export interface WriteLike {
  name: string;
  args: unknown;
  createdAt: number;
}

/**
 * Applies writes in order. A run of built-in writes shares one immer draft (they validate before
 * changing anything, so a refused one leaves no trace); a custom mutator gets a draft of its own,
 * so one that throws half-way leaves no partial change behind. Unchanged messages keep their
 * identity either way.
 */
export function applyWrites(
  base: Thread,
  writes: readonly WriteLike[],
  mutators: Record<string, Mutator>,
): Thread {
  let thread = base;
  // An unknown name is trusted too: it changes nothing, in a run or alone.
  const trusted = (w: WriteLike) => mutators[w.name] === builtinMutators[w.name];
  for (let i = 0; i < writes.length; ) {
    const start = i++;
    if (trusted(writes[start]!)) while (i < writes.length && trusted(writes[i]!)) i++;
    const run = writes.slice(start, i);
    try {
      thread = immer.produce(thread, (draft) => {
        for (const write of run) {
          try {
            mutators[write.name]?.(draft, write.args);
          } catch (error) {
            // A refused built-in changed nothing: skip it. A custom one may have: drop its draft.
            if (run.length === 1) throw error;
          }
        }
      });
    } catch {
      // The server will refuse it too; until then the view simply does not show it.
    }
  }
  return thread;
}

/**
 * The optimistic view (docs/architecture.md): the confirmed server thread with the writes still in play
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
  return applyWrites(base, writes, mutators);
}

import { Immer } from 'immer';
import { MutationError, emptyThread } from '../model/mutators.js';
import type { Thread } from '../model/types.js';
import type { MutatorTable, WriteResult } from './types.js';

/*
 * Runs mutators on threads loaded inside a store transaction. Versions are never changed in
 * place (immer copies on write), so a mutator that throws half-way leaves no trace; nothing is
 * frozen because the result is serialised, not shared.
 */
const immer = new Immer({ autoFreeze: false });

const rejected = (code: string, message: string): WriteResult => ({ status: 'rejected', error: { code, message } });

/** The threads of one transaction, as loaded and as changed by its mutations. */
export interface Workspace {
  threads: Map<string, Thread>;
  changed: Set<string>;
  now: number;
}

/**
 * Applies one mutation to the workspace: the thread is created first (`v: 0`) when missing,
 * and every applied mutation is one version.
 */
export function applyMutation(
  space: Workspace,
  mutators: MutatorTable,
  threadId: string,
  name: string,
  args: unknown,
): WriteResult {
  const mutator = Object.hasOwn(mutators, name) ? mutators[name] : undefined;
  if (!mutator) return rejected('unknown-mutator', `This server has no mutator named "${name}".`);
  const base = space.threads.get(threadId) ?? emptyThread(threadId, space.now);
  let next: Thread;
  try {
    next = immer.produce(base, (draft) => {
      mutator(draft as Thread, args);
      draft.id = threadId;
      draft.v = base.v + 1;
    });
  } catch (err) {
    if (err instanceof MutationError) return rejected(err.code, err.message);
    return rejected('mutator-failed', `${name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  space.threads.set(threadId, next);
  space.changed.add(threadId);
  return { status: 'applied', v: next.v };
}

/** PostgreSQL text cannot hold U+0000: an id with one could never be stored. */
export const hasNul = (text: string) => text.includes('\u0000');

/** What can be stored of a text that may hold U+0000 (kept only for the record). */
export const stripNul = (text: string) => text.replaceAll('\u0000', '');

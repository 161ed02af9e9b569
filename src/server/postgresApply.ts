import { emptyThread } from '../model/mutators.js';
import type { Thread } from '../model/types.js';
import { nextVersion } from '../testing/nextVersion.js';
import type { MutatorTable, WriteResult } from './types.js';

// Runs mutators on threads loaded inside a store transaction (src/testing/nextVersion.ts).

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
  const next = nextVersion(mutators, name, space.threads.get(threadId) ?? emptyThread(threadId, space.now), threadId, args);
  if ('status' in next) return next;
  space.threads.set(threadId, next);
  space.changed.add(threadId);
  return { status: 'applied', v: next.v };
}

/** PostgreSQL text cannot hold U+0000: an id with one could never be stored. */
export const hasNul = (text: string) => text.includes('\u0000');

/** What can be stored of a text that may hold U+0000 (kept only for the record). */
export const stripNul = (text: string) => text.replaceAll('\u0000', '');

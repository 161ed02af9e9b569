import { SyncError } from '../core/errors.js';
import { builtinMutators, emptyThread, MutationError } from '../core/mutators.js';
import { immer } from '../core/rebase.js';
import type { Mutator, Thread } from '../core/types.js';

/**
 * Checks a write before it is queued and computes the view it makes: unknown names, malformed or
 * unstorable args are refused with a typed SyncError and change nothing. A write the view cannot
 * apply (an edit of a message we have not seen) is queued anyway: the server decides.
 */
export function prepareWrite(
  mutators: Record<string, Mutator>,
  view: Thread | undefined,
  write: { threadId: string; name: string; args: unknown; now: number },
): { args: unknown; view: Thread } {
  const { threadId, name } = write;
  if (typeof threadId !== 'string' || threadId === '') {
    throw new SyncError('rejected', 'mutate needs a non-empty thread id.', { code: 'invalid-args' });
  }
  const mutator = mutators[name];
  if (!mutator) {
    throw new SyncError(
      'rejected',
      `There is no mutation named "${name}". Built-ins: ${Object.keys(builtinMutators).join(', ')}; ` +
        'add your own through the mutators option.',
      { code: 'unknown-mutator' },
    );
  }
  let args: unknown;
  try {
    // The queued write must not change when the caller reuses its object, and must be storable.
    args = structuredClone(write.args);
  } catch (cause) {
    throw new SyncError('rejected', `${name}: args must be plain data (structured-cloneable).`, {
      code: 'invalid-args',
      cause,
    });
  }
  const base = view ?? emptyThread(threadId, write.now);
  try {
    return { args, view: immer.produce(base, (draft) => void mutator(draft, args)) };
  } catch (caught) {
    if (caught instanceof MutationError && caught.code !== 'invalid-args') return { args, view: base };
    throw new SyncError('rejected', caught instanceof Error ? caught.message : String(caught), {
      code: 'invalid-args',
      cause: caught,
    });
  }
}

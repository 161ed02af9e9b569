import { SyncError } from '../model/errors.js';
import { builtinMutators, emptyThread, MutationError } from '../model/mutators.js';
import { immer } from '../model/rebase.js';
import { copyWireArgs } from '../protocol/wireArgs.js';
import type { Mutator, Thread } from '../model/types.js';

const rejected = (message: string, code: string, cause?: unknown) =>
  new SyncError('rejected', message, { code, cause });

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
    throw rejected('mutate needs a non-empty thread id.', 'invalid-args');
  }
  const mutator = Object.hasOwn(mutators, name) ? mutators[name] : undefined;
  if (!mutator) {
    throw rejected(
      `There is no mutation named "${name}". Built-ins: ${Object.keys(builtinMutators).join(', ')}; ` +
        'add your own through the mutators option.',
      'unknown-mutator',
    );
  }
  // A copy: the queued write must not change when the caller reuses its object.
  const args = copyWireArgs(write.args, name);
  const base = view ?? emptyThread(threadId, write.now);
  try {
    return { args, view: immer.produce(base, (draft) => void mutator(draft, args)) };
  } catch (caught) {
    if (caught instanceof MutationError && caught.code !== 'invalid-args') return { args, view: base };
    throw rejected(caught instanceof Error ? caught.message : String(caught), 'invalid-args', caught);
  }
}

import { Immer } from 'immer';
import { MutationError } from '../../model/mutators.js';
import type { Mutator, Thread } from '../../model/types.js';

/*
 * Versions are never changed in place (immer copies on write), so a mutator that throws half-way
 * leaves no trace. immer's auto-freeze is off: it would walk every message of a long thread on
 * every write (the reference backend freezes what it hands out; the PostgreSQL store serialises).
 */
const immer = new Immer({ autoFreeze: false });

/** A mutation the server refuses, as protocol v1 answers it (docs/protocol.md). */
export interface Refusal {
  status: 'rejected';
  error: { code: string; message: string };
}

export const refusal = (code: string, message: string): Refusal => ({ status: 'rejected', error: { code, message } });

/**
 * Runs one mutation on a server's copy of a thread, for the reference backend and the PostgreSQL
 * store alike: the next version, or the refusal to answer. Every applied mutation, even one that
 * changes nothing, is one version.
 */
export function nextVersion(
  mutators: Readonly<Record<string, Mutator>>,
  name: string,
  base: Thread,
  threadId: string,
  args: unknown,
): Thread | Refusal {
  const mutator = Object.hasOwn(mutators, name) ? mutators[name] : undefined;
  if (!mutator) return refusal('unknown-mutator', `This server has no mutator named "${name}".`);
  try {
    return immer.produce(base, (draft) => {
      mutator(draft as Thread, args);
      draft.id = threadId;
      draft.v = base.v + 1;
    });
  } catch (err) {
    if (err instanceof MutationError) return refusal(err.code, err.message);
    // Another error's text may hold anything (a query, a path, another tenant's data): it stays in
    // the server's log, and the client learns only that the mutator failed (docs/server.md).
    console.error(`[syncline] mutator "${name}" threw on thread "${threadId}"`, err);
    return refusal(
      'mutator-failed',
      `${name} failed on the server; the reason is in the server's log. A mutator throws MutationError to tell the client why.`,
    );
  }
}

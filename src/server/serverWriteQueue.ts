import type { MutatorTable, StoredEvent, WriteResult } from './types.js';

/*
 * Server writes (an assistant reply's tokens) in call order, group-committed: while one
 * transaction runs, the calls made meanwhile wait and then go into the next one together, in
 * the order they were made. A reply that does not await each token costs a few transactions,
 * not one per token, and its tokens are never stored out of order (docs/server.md, "serverWrite").
 */

export interface QueuedWrite {
  threadId: string;
  name: string;
  args: unknown;
  mutators: MutatorTable;
}

export interface QueuedOutcome {
  result: WriteResult;
  events: StoredEvent[];
}

/** Writes per transaction: bounds one transaction's size and time under a burst. */
export const MAX_WRITES_PER_COMMIT = 512;

/**
 * @param commit applies the writes, in order, in ONE transaction, and answers one outcome per
 * write; if it throws, none of them was applied and each of their callers gets the error.
 */
export function createServerWriteQueue(commit: (writes: QueuedWrite[]) => Promise<QueuedOutcome[]>) {
  let pending: { write: QueuedWrite; resolve: (outcome: QueuedOutcome) => void; reject: (err: unknown) => void }[] = [];
  let running = false;

  async function drain() {
    running = true;
    while (pending.length > 0) {
      const batch = pending.slice(0, MAX_WRITES_PER_COMMIT);
      pending = pending.slice(batch.length);
      try {
        const outcomes = await commit(batch.map((entry) => entry.write));
        batch.forEach((entry, i) => entry.resolve(outcomes[i]!));
      } catch (err) {
        for (const entry of batch) entry.reject(err);
      }
    }
    running = false;
  }

  return (write: QueuedWrite): Promise<QueuedOutcome> =>
    new Promise((resolve, reject) => {
      pending.push({ write, resolve, reject });
      if (!running) void drain();
    });
}

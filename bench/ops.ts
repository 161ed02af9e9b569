/**
 * Protocol v2 in the client: the cost of one op (a streamed token as an `append` patch) applied,
 * rebased and published, on threads of 10 and 10 000 messages of 2 KB. It must not grow with the
 * thread (docs/protocol.md, "Protocol v2").
 */
import { applyPatches } from '../src/model/applyOps.js';
import { initialHealth } from '../src/liveness/health.js';
import { builtinMutators } from '../src/model/mutators.js';
import type { Thread } from '../src/model/types.js';
import { createStoreCommitter } from '../src/client/commit.js';
import { createSyncStore } from '../src/client/createSyncStore.js';
import { createThreadBook } from '../src/client/threadBook.js';

export function opCommitCostMs(messages: number, ops = 4000, rounds = 5): number {
  const thread: Thread = {
    id: 't',
    v: 1,
    createdAt: 0,
    messages: Array.from({ length: messages }, (_, i) => ({
      id: `m${i}`, role: i % 2 ? 'assistant' : 'user', content: 'x'.repeat(2048), createdAt: i,
    })),
  };
  const book = createThreadBook(builtinMutators);
  const health = initialHealth(0);
  const store = createSyncStore(health);
  const committer = createStoreCommitter({
    store, book, pending: () => [], inFlight: () => false, inFlightIds: () => [],
    online: () => true, health: () => health,
  });
  book.receive(Object.freeze(thread));
  book.recompute('t', []);
  const last = messages - 1;
  // What the stream sink does for one patch in one frame: apply, rebase, publish.
  const step = () => {
    const confirmed = book.confirmed('t')!;
    const patch = { threadId: 't', fromV: confirmed.v, v: confirmed.v + 1, ops: [{ op: 'append' as const, at: last, id: `m${last}`, path: ['content'], text: ' tok' }] };
    const { thread: next, gap } = applyPatches(confirmed, [patch]);
    if (gap) throw new Error('the op did not apply');
    book.setConfirmed(next);
    book.recompute('t', []);
    committer.schedule();
    committer.flush();
  };
  for (let i = 0; i < 500; i++) step(); // warm up the JIT
  const perOp: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    for (let i = 0; i < ops; i++) step();
    perOp.push((performance.now() - started) / ops);
  }
  return perOp.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
}

/** The cost of one streamed token in the store, on a 10 000-message thread. */
import { applyDeltas } from '../src/model/applyDeltas.js';
import { initialHealth } from '../src/liveness/health.js';
import { builtinMutators } from '../src/model/mutators.js';
import type { Thread } from '../src/model/types.js';
import { createStoreCommitter } from '../src/client/commit.js';
import { createSyncStore } from '../src/client/createSyncStore.js';
import { createThreadBook } from '../src/client/threadBook.js';

export function perTokenStoreCostMs(messages = 10_000, tokens = 2000): number {
  const thread: Thread = {
    id: 'big',
    v: messages,
    createdAt: 0,
    messages: Array.from({ length: messages }, (_, i) => ({
      id: `m${i}`, role: i % 2 ? 'assistant' : 'user', content: `message ${i}`, createdAt: i,
    })),
  };
  const book = createThreadBook(builtinMutators);
  const health = initialHealth(0);
  const store = createSyncStore(health);
  const committer = createStoreCommitter({
    store, book, pending: () => [], inFlight: () => false, inFlightIds: () => [],
    online: () => true, health: () => health,
  });
  let renders = 0;
  store.subscribe(() => renders++);
  book.receive(Object.freeze(thread));
  book.recompute('big', []);
  const last = `m${messages - 1}`;
  // What the stream sink does for one token in one frame: apply, rebase, publish.
  const step = () => {
    const confirmed = book.confirmed('big')!;
    const { thread: next } = applyDeltas(confirmed, [{ messageId: last, v: confirmed.v + 1, text: ' tok' }]);
    book.setConfirmed(next);
    book.recompute('big', []);
    committer.schedule();
    committer.flush();
  };
  for (let i = 0; i < 200; i++) step(); // warm up the JIT
  const started = performance.now();
  for (let i = 0; i < tokens; i++) step();
  const perToken = (performance.now() - started) / tokens;
  if (renders < tokens) throw new Error('the store was not notified per token');
  return perToken;
}

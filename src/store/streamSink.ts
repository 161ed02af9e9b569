import { applyDeltas, type ThreadDelta } from '../core/applyDeltas.js';
import type { Environment } from '../core/environment.js';
import { createFrameBatcher } from '../core/frameBatcher.js';
import type { PendingWrite, ServerEvent, Thread } from '../core/types.js';
import type { ThreadBook } from './threadBook.js';

type StreamItem = Extract<ServerEvent, { type: 'thread' } | { type: 'delta' }>;

/**
 * What the stream brings reaches the store at most once per animation frame (DESIGN §4): a long
 * reply costs one commit a frame, not one a token, and a burst of thread versions costs one
 * rebase per thread, not one per version.
 */
export function createStreamSink(options: {
  environment: Environment;
  book: ThreadBook;
  /** Whether this client keeps the thread at all (watched or holding its writes). */
  tracks(threadId: string): boolean;
  pendingOf(threadId: string): PendingWrite[];
  commit(): void;
  onGap(threadId: string): void;
}) {
  const { book } = options;

  function applyThreadItems(threadId: string, items: StreamItem[]) {
    const before = book.confirmed(threadId);
    let run: ThreadDelta[] = [];
    let gap = false;
    const flushRun = () => {
      if (run.length === 0) return;
      const confirmed = book.confirmed(threadId);
      if (!confirmed) gap = true;
      else {
        const result = applyDeltas(confirmed, run);
        if (result.thread !== confirmed) book.setConfirmed(result.thread);
        gap ||= result.gap;
      }
      run = [];
    };
    for (const item of items) {
      if (item.type === 'delta') run.push(item);
      else {
        flushRun();
        book.receive(item.thread as Thread);
      }
    }
    flushRun();
    if (book.confirmed(threadId) !== before) book.recompute(threadId, options.pendingOf(threadId));
    if (gap) options.onGap(threadId);
  }

  const batcher = createFrameBatcher<StreamItem>(options.environment, (items) => {
    const byThread = new Map<string, StreamItem[]>();
    for (const item of items) {
      const threadId = item.type === 'thread' ? item.thread.id : item.threadId;
      if (!options.tracks(threadId)) continue;
      const list = byThread.get(threadId);
      if (list) list.push(item);
      else byThread.set(threadId, [item]);
    }
    for (const [threadId, list] of byThread) applyThreadItems(threadId, list);
    if (byThread.size > 0) options.commit();
  });
  return { add: (item: StreamItem) => batcher.add(item), cancel: () => batcher.cancel() };
}

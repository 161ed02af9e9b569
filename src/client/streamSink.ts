import { applyDeltas, type ThreadDelta } from '../model/applyDeltas.js';
import { applyPatches } from '../model/applyOps.js';
import type { ThreadPatch } from '../model/ops.js';
import { createTimer, monotonicNow, type Clock } from '../platform/clock.js';
import type { Environment } from '../platform/environment.js';
import { createFrameBatcher } from '../platform/frameBatcher.js';
import type { PendingWrite, Thread } from '../model/types.js';
import type { ServerEvent } from '../protocol/wire.js';
import { groupBy } from './groupPending.js';
import type { ThreadBook } from './threadBook.js';

type StreamItem = Extract<ServerEvent, { type: 'thread' } | { type: 'delta' } | { type: 'patch' }>;

/** Up to this many writes in play, a thread is rebased every frame. */
const CHEAP_REBASE = 100;
/** Past it (a long offline queue draining), at most once a second: its own writes stay visible. */
const HEAVY_REBASE_MS = 1000;

const threadOf = (item: StreamItem) =>
  item.type === 'thread' ? item.thread.id : item.type === 'patch' ? item.patch.threadId : item.threadId;

/**
 * What the stream brings reaches the store at most once per animation frame (docs/liveness.md): a long
 * reply costs one commit a frame, not one a token, and a burst of thread versions costs one
 * rebase per thread, not one per version.
 */
export interface StreamSink {
  /** Queues a stream event; applied with the others of its animation frame. */
  add(item: StreamItem): void;
  cancel(): void;
}

export function createStreamSink(options: {
  clock: Clock;
  environment: Environment;
  book: ThreadBook;
  /** Whether this client keeps the thread at all (watched or holding its writes). */
  tracks(threadId: string): boolean;
  pendingOf(threadId: string): PendingWrite[];
  commit(): void;
  onGap(threadId: string): void;
}): StreamSink {
  const { book, clock, pendingOf } = options;
  const lastRebase = new Map<string, number>();
  const deferred = new Set<string>();
  const deferTimer = createTimer(clock);

  function rebaseNow(threadId: string, pending = pendingOf(threadId)) {
    lastRebase.set(threadId, monotonicNow(clock)); // an interval: a wall clock set back must not stall it
    book.recompute(threadId, pending);
  }

  /**
   * Rebasing costs O(writes in play). While a long queue drains, versions arrive every frame;
   * rebasing a heavy thread at most every HEAVY_REBASE_MS keeps the page smooth, and the view
   * lags the server by that much for other people's changes only.
   */
  function rebase(threadId: string) {
    const pending = pendingOf(threadId);
    if (pending.length <= CHEAP_REBASE || monotonicNow(clock) - (lastRebase.get(threadId) ?? -Infinity) >= HEAVY_REBASE_MS) {
      rebaseNow(threadId, pending);
      return;
    }
    deferred.add(threadId);
    if (deferTimer.pending()) return;
    deferTimer.set(() => {
      for (const id of deferred) rebaseNow(id);
      deferred.clear();
      options.commit();
    }, HEAVY_REBASE_MS);
  }

  /**
   * One frame's items of one thread, in order: a run of v1 deltas or of v2 patches is applied at
   * once (one copy of the messages array), a whole thread replaces the confirmed one when newer.
   * Anything that does not follow the version held (or an op that does not fit) pulls the thread,
   * naming that version: a v2 server answers with the ops since then.
   */
  function applyThreadItems(threadId: string, items: StreamItem[]) {
    const before = book.confirmed(threadId);
    let deltas: ThreadDelta[] = [];
    let patches: ThreadPatch[] = [];
    let gap = false;
    const flushRun = () => {
      if (deltas.length === 0 && patches.length === 0) return;
      const confirmed = book.confirmed(threadId);
      if (!confirmed) gap = true;
      else {
        const result = deltas.length > 0 ? applyDeltas(confirmed, deltas) : applyPatches(confirmed, patches);
        if (result.thread !== confirmed) book.setConfirmed(result.thread as Thread);
        gap ||= result.gap;
      }
      deltas = [];
      patches = [];
    };
    for (const item of items) {
      if (item.type === 'thread') {
        flushRun();
        book.receive(item.thread);
      } else if (item.type === 'delta') {
        if (patches.length > 0) flushRun();
        deltas.push(item);
      } else {
        if (deltas.length > 0) flushRun();
        patches.push(item.patch);
      }
    }
    flushRun();
    if (book.confirmed(threadId) !== before) rebase(threadId);
    if (gap) options.onGap(threadId);
  }

  const batcher = createFrameBatcher<StreamItem>(options.environment, (items) => {
    const tracked = items.filter((item) => options.tracks(threadOf(item)));
    for (const [threadId, list] of groupBy(tracked, threadOf)) applyThreadItems(threadId, list);
    if (tracked.length > 0) options.commit();
  });
  return {
    add: batcher.add,
    cancel() {
      batcher.cancel();
      deferTimer.clear();
    },
  };
}

import type { Clock } from '../platform/clock.js';
import { applyOps } from '../model/applyOps.js';
import { toSyncError, type SyncError } from '../model/errors.js';
import type { PendingWrite, Thread } from '../model/types.js';
import type { SyncConnector } from '../protocol/wire.js';
import type { Interest } from './interest.js';
import type { ThreadBook } from './threadBook.js';

/**
 * The pull: one request for every thread of interest or with writes in play, the stream's
 * resume cursor, and which threads are being pulled (their status reads `syncing`).
 */
export interface Puller {
  pull(): Promise<void>;
  /** Whether this thread (without an id: any thread) is being pulled. */
  pulling(threadId?: string): boolean;
  /** The threads being pulled. */
  pullingIds(): ReadonlySet<string>;
  /** The stream's resume point. */
  cursor(): string | null;
  /** The stream moved the resume point on. */
  setCursor(next: string): void;
}

export function createPuller(ctx: {
  connector: SyncConnector;
  clock: Clock;
  book: ThreadBook;
  interest: Interest;
  clientId: string;
  pending(): PendingWrite[];
  pendingOf(threadId: string): PendingWrite[];
  /** A pull went out (watched for hanging); `report` says how it ended. */
  began(request: 'pull'): void;
  report(request: 'pull', error: SyncError | null): void;
  commit(): void;
  /** Another pull, soon (the threads asked for go with it). */
  pullSoon(): void;
  disposed(): boolean;
  /** What a pull brought: the newer threads and every thread it covered (for the other tabs). */
  pulled?(threads: Thread[], synced: string[]): void;
}): Puller {
  const { book } = ctx;
  let cursor: string | null = null;
  let pulling = new Set<string>();
  /**
   * Threads whose copy a patch from the version held did not fit (a message it inserts is there
   * already, one it changes is not): what we hold is not the server's thread at that version, so
   * patches from it cannot mend it. The next pull asks for them whole.
   */
  const whole = new Set<string>();

  async function pull(): Promise<void> {
    // Every thread of interest, with writes in play or acknowledged ones not yet confirmed.
    const inPlay = ctx.pending().map((w) => w.threadId);
    for (const id of book.ids()) if (book.hasAcked(id)) inPlay.push(id);
    const ids = [...ctx.interest.take(inPlay)];
    if (ids.length === 0 || ctx.disposed()) return;
    /** The version we hold of each (no prototype: a thread may be called `__proto__`). */
    const known = Object.create(null) as Record<string, number>;
    const mark = book.mark();
    for (const id of ids) {
      known[id] = whole.delete(id) ? 0 : (book.confirmed(id)?.v ?? 0);
    }
    pulling = new Set(ids);
    ctx.commit();
    ctx.began('pull');
    try {
      const response = await ctx.connector.pull({ clientId: ctx.clientId, cursor, threads: known, protocol: 2 });
      if (ctx.disposed()) return;
      cursor = response.cursor;
      const received = new Set(response.threads.filter((thread) => book.receive(thread)).map((thread) => thread.id));
      // The other tabs hear the threads the patches made: they hold no version a patch could name.
      const newer = [...response.threads];
      for (const patch of response.patches ?? []) {
        const confirmed = book.confirmed(patch.threadId);
        const result = confirmed ? applyOps(confirmed, patch) : { thread: confirmed, gap: true };
        // Not for the version held (the stream moved it meanwhile, or the server erred): the
        // stream's next patch or the next pull brings it; nothing is guessed.
        if (result.gap) {
          ctx.interest.ask(patch.threadId);
          // From exactly the version held, and still no fit (a patch already held is no gap).
          if (confirmed && patch.fromV === confirmed.v) {
            whole.add(patch.threadId);
            ctx.pullSoon();
          }
        }
        if (!result.thread || result.thread === confirmed) continue;
        book.setConfirmed(result.thread as Thread);
        received.add(patch.threadId);
        newer.push(result.thread as Thread);
      }
      for (const id of new Set([...ids, ...received])) {
        if (book.settle(id, mark) || received.has(id)) book.recompute(id, ctx.pendingOf(id));
      }
      const now = ctx.clock.now();
      for (const id of ids) book.markSynced(id, now);
      ctx.pulled?.(newer, ids);
      ctx.report('pull', null);
    } catch (caught) {
      const error = toSyncError(caught, 'network', 'The pull failed');
      ctx.report('pull', error);
      throw error;
    } finally {
      pulling = new Set();
      ctx.commit();
    }
  }

  return {
    pull,
    /** Whether this thread (without an id: any thread) is being pulled. */
    pulling: (threadId?: string) => (threadId === undefined ? pulling.size > 0 : pulling.has(threadId)),
    /** The threads being pulled. */
    pullingIds: (): ReadonlySet<string> => pulling,
    cursor: () => cursor,
    /** The stream moved the resume point on. */
    setCursor(next: string) {
      cursor = next;
    },
  };
}

import { createTimer } from '../platform/clock.js';
import type { Poller } from '../liveness/poller.js';
import type { ClientCore } from './clientCore.js';

/** The pulls asked for outside the poller's schedule: coalesced, handed to the leader while following. */
export interface ClientPulls {
  /** Coalesces pulls asked for in the same task (several watches, several acks). */
  soon(): void;
  /** This thread, soon. */
  threadSoon(threadId: string): void;
  /**
   * A pull asked for outside the poller (syncImmediately, reconnect). One that fails is handed
   * to the poller, which retries it with backoff: while the stream is live nothing else would
   * pull again, and health would say 'server-errors' for good.
   */
  now(): Promise<void>;
  /**
   * An ack whose version the stream never reaches (a server that answered v = 1e15) would keep
   * its write in the view, applied twice over the confirmed thread: after `staleAfterMs`, the
   * threads still waiting on an ack from before are pulled, and the pull settles them.
   */
  checkAcksLater(): void;
  /** Clears what is scheduled (on disconnect). */
  clear(): void;
}

export function createClientPulls(
  core: ClientCore,
  ctx: {
    poller: Poller;
    staleAfterMs: number;
    /** The pull itself (after the local copy is shown, when there is one). */
    pull(): Promise<void>;
  },
): ClientPulls {
  const { book, interest, role, tabs, life } = core;
  const { poller } = ctx;
  const pullTimer = createTimer(core.clock);
  const ackCheck = createTimer(core.clock);

  function soon() {
    if (pullTimer.pending() || !life.started) return;
    pullTimer.set(() => {
      // A follower asks the leader, which pulls for every tab.
      if (role.following()) tabs?.ask([...interest.take([])]);
      else {
        void tabs?.prune();
        void poller.pullNow().catch(() => {});
      }
    }, 0);
  }

  function threadSoon(threadId: string) {
    interest.ask(threadId);
    soon();
  }

  function checkAcksLater() {
    if (ackCheck.pending()) return;
    const mark = book.mark();
    ackCheck.set(() => {
      let waiting = false;
      for (const id of book.ids()) {
        if (book.waitsSince(id, mark)) threadSoon(id);
        else waiting ||= book.hasAcked(id);
      }
      if (waiting) checkAcksLater();
    }, ctx.staleAfterMs);
  }

  return {
    soon,
    threadSoon,
    now: () =>
      ctx.pull().catch((error: unknown) => {
        soon();
        throw error;
      }),
    checkAcksLater,
    clear() {
      pullTimer.clear();
      ackCheck.clear();
    },
  };
}

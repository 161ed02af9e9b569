import type { OutboxListener } from '../outbox/outbox.js';
import type { PendingWrite } from '../model/types.js';
import type { SyncError } from '../model/errors.js';
import type { ClientCore } from './clientCore.js';
import type { ClientPulls } from './clientPulls.js';
import type { Reachability } from './reachability.js';

/** What the client hears from its outbox, and the threads a push is under way for. */
export interface OutboxEvents {
  listener: OutboxListener;
  /** The threads a push is sending writes of (a follower's: what the leader reports). */
  pushing(): ReadonlySet<string>;
}

/** The client's side of the outbox's listener (docs/outbox.md): the view, health, pulls, metrics. */
export function createOutboxEvents(
  core: ClientCore,
  ctx: {
    reach: Reachability;
    pulls: ClientPulls;
    onRollback?(write: PendingWrite, error: SyncError): void;
  },
): OutboxEvents {
  const { clock, traced, book, role, up, recompute } = core;
  const { reach, pulls } = ctx;
  const health = core.health.monitor;
  let pushing = new Set<string>();

  const listener: OutboxListener = {
    changed() {
      traced.depth(up.pendingCount()); // metrics hook
      // A follower's writes are sent by the leader: its reports say which are in flight.
      if (role.following()) pushing = new Set(up.pending().filter((w) => w.state === 'sending').map((w) => w.threadId));
      up.commit();
    },
    acked(items) {
      traced.settled(items.map((i) => i.write), 'acknowledged'); // metrics hook
      const now = clock.now();
      for (const { write } of items) book.markSynced(write.threadId, now);
      // Writes the confirmed thread already shows leave the view now; the others stay in it.
      recompute(items.filter(({ write, v }) => book.acknowledge(write, v)).map((i) => i.write));
      // The confirmed thread arrives over the stream when it is live; otherwise go and get it
      // (a follower's comes from the leader, which pulls when its stream is down).
      if (!up.streamLive() && !role.following()) pulls.soon();
      else pulls.checkAcksLater();
    },
    failed(items) {
      traced.settled(items.map((i) => i.write), 'failed'); // metrics hook
      recompute(items.map((i) => i.write));
      for (const { write, error } of items) ctx.onRollback?.(write, error);
    },
    discarded(writes) {
      traced.settled(writes, 'discarded'); // metrics hook
      recompute(writes);
    },
    pushStarted(threadIds) {
      pushing = threadIds;
      reach.began('push');
      health.dispatch({ type: 'writes-retry', at: null });
    },
    pushEnded(_threadIds, error, nextRetryAt) {
      pushing = new Set();
      traced.retry(nextRetryAt); // metrics hook
      reach.report('push', error);
      health.dispatch({ type: 'writes-retry', at: nextRetryAt });
    },
    storageChanged: (error) => core.health.storageFailed('outbox', error),
  };
  return { listener, pushing: () => pushing };
}

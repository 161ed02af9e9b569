import { retryDelay } from '../protocol/backoff.js';
import { createTimer } from '../platform/clock.js';
import { toSyncError, type SyncError } from '../model/errors.js';
import { errorAction, keepaliveBatch, takeBatch } from './outboxBatch.js';
import { pushBatch, pushRequest } from './pushBatch.js';
import { rejectionError, type OutboxEntry } from './outboxEntry.js';
import type { OutboxParts } from './outboxState.js';
import type { RelayReports } from './outboxTabs.js';
import type { PendingWrite } from '../model/types.js';
import type { PushResult } from '../protocol/wire.js';

/** The outbox's sending (docs/outbox.md): one push in flight, batched, retried with backoff. */
export interface OutboxSender {
  /** Sends now (`urgent`) or when the batch window closes. */
  kick(urgent: boolean): void;
  /** Skips the backoff wait; `fresh` (a person asking) also starts the backoff over. */
  retryNow(fresh: boolean): void;
  /** The last chance on `pagehide`: everything unacknowledged, with keepalive, no waiting. */
  sendOnPageHide(): void;
  /** Timers cleared, the push in flight aborted. */
  stop(): void;
}

export function createOutboxSender(ctx: OutboxParts & { reports: RelayReports }): OutboxSender {
  const { options, state, queue, stores, reports, fail } = ctx;
  const { connector, clock, listener, retry } = options;
  let abortPush: AbortController | null = null;
  /** The batch window: writes queued meanwhile go out together. */
  const windowTimer = createTimer(clock);
  const backoffTimer = createTimer(clock);
  let failures = 0;
  let splitLimit = Infinity;

  function clearTimers() {
    windowTimer.clear();
    backoffTimer.clear();
  }

  function kick(urgent: boolean) {
    const canSend = state.phase === 'running' && !abortPush && !backoffTimer.pending();
    if (!canSend || queue.queuedCount() === 0) return;
    if (urgent || queue.queuedCount() >= options.batch.maxItems) {
      clearTimers();
      void send().catch(crashed);
    } else if (!windowTimer.pending()) {
      windowTimer.set(() => kick(true), options.batch.windowMs);
    }
  }

  /**
   * A send that threw where nothing should (a listener, a bug): its writes go back to the queue
   * with the error and are retried after a backoff; the outbox never stops on its own.
   */
  function crashed(caught: unknown) {
    abortPush = null;
    const error = toSyncError(caught, 'network', 'Sending failed unexpectedly');
    const batch = queue.entries().filter((e) => e.write.state === 'sending');
    const delay = retryDelay(error, failures++, retry, clock.random);
    for (const e of batch) queue.update(e, { state: 'queued', lastError: error });
    backoffTimer.set(() => kick(true), delay);
    listener.changed();
  }

  async function send(): Promise<void> {
    const batch = takeBatch(queue.entries(), {
      maxItems: Math.min(options.batch.maxItems, splitLimit),
      maxBytes: options.batch.maxBytes,
    });
    // Set first: it is what keeps a listener's call back into the outbox from a second push.
    abortPush = new AbortController();
    const { signal } = abortPush;
    const threadIds = new Set(batch.map((e) => e.write.threadId));
    for (const e of batch) queue.update(e, { state: 'sending', attempts: e.write.attempts + 1 });
    reports.states(batch);
    listener.changed();
    listener.pushStarted(threadIds);
    const { results, error } = await pushBatch(connector, batch, state.epoch, signal);
    abortPush = null;
    if (state.phase === 'disposed') return;
    let nextRetryAt: number | null = null;
    if (error) nextRetryAt = handleError(batch, error);
    else handleResults(batch, results);
    reports.states(batch.filter((e) => e.write.state === 'queued'));
    listener.changed();
    listener.pushEnded(threadIds, error, nextRetryAt);
    kick(true);
  }

  function handleResults(batch: OutboxEntry[], results: PushResult[]) {
    failures = 0;
    splitLimit = Infinity;
    const acked: Array<{ write: PendingWrite; v: number | undefined }> = [];
    const refused: Array<[OutboxEntry, SyncError]> = [];
    const unseen: OutboxEntry[] = [];
    batch.forEach((entry, i) => {
      const result = results[i]!;
      if (result.status === 'rejected') {
        // Resent under its old seq in case it had been applied: `out-of-order` says it never
        // was, so it goes again under a new seq. Any other answer means the server saw it.
        if (entry.maybeApplied && result.error.code === 'out-of-order') unseen.push(entry);
        else refused.push([entry, rejectionError(entry.write.name, result.error)]);
        entry.maybeApplied = false;
      } else {
        entry.write = { ...entry.write, lastError: null };
        entry.settle.resolve();
        acked.push({ write: entry.write, v: result.v });
      }
    });
    if (acked.length > 0) {
      const ids = acked.map((a) => a.write.id);
      queue.remove(new Set(ids));
      void (options.clientId ? ctx.saveMeta() : Promise.resolve())
        .then(() => stores.deleteWrites(ids))
        .catch(stores.report);
      listener.acked(reports.acked(acked, batch));
    }
    for (const entry of unseen) {
      queue.remove(new Set([entry.write.id]));
      entry.clientId = state.clientId;
      entry.write = { ...entry.write, seq: ++state.lastSeq, state: 'queued', lastError: null };
      entry.persisted = stores.persist([entry]);
      queue.add(entry);
    }
    fail(refused);
  }

  /** Returns when the next attempt is due, or null when none is scheduled. */
  function handleError(batch: OutboxEntry[], error: SyncError): number | null {
    const ambiguous = mayHaveApplied(error);
    const flagged = batch.filter((e) => ambiguous && !e.maybeApplied);
    // Back to the front, still queued; the error stays on each write so the UI can say why (a
    // write only in memory keeps saying that: a reload would lose it).
    for (const e of batch) {
      if (ambiguous) e.maybeApplied = true;
      queue.update(e, { state: 'queued', lastError: e.unstored ? (stores.failure() ?? error) : error });
    }
    if (flagged.length > 0) void stores.persist(flagged);
    switch (errorAction(error, batch.length)) {
      case 'fenced':
        state.fencedBy = error;
        state.startLater = state.phase === 'running';
        state.phase = 'fenced';
        return null;
      case 'split':
        splitLimit = Math.ceil(batch.length / 2);
        return clock.now();
      case 'retry': {
        const delay = retryDelay(error, failures++, retry, clock.random);
        backoffTimer.set(() => kick(true), delay);
        return clock.now() + delay;
      }
      case 'fail':
        fail(batch.map((entry) => [entry, error]));
        return null;
    }
  }

  return {
    kick,
    retryNow(fresh) {
      clearTimers();
      if (fresh) failures = 0;
      kick(true);
    },
    sendOnPageHide() {
      if ((state.phase !== 'stopped' && state.phase !== 'running') || ctx.relay.following()) return;
      const batch = keepaliveBatch(queue.entries());
      if (batch.length === 0) return;
      void connector.push(pushRequest(batch, state.epoch), { keepalive: true }).catch(() => {});
    },
    stop() {
      clearTimers();
      abortPush?.abort();
    },
  };
}

/**
 * Whether the server may have applied a push that failed so: no answer (network, timeout), an
 * unreadable one, or a 408, 429 or 5xx. A 4xx that refused the request means it was not.
 */
function mayHaveApplied(error: SyncError): boolean {
  const { status } = error;
  if (status === undefined) return error.kind === 'network' || error.kind === 'timeout' || error.kind === 'protocol';
  return status < 300 || status === 408 || status === 429 || status >= 500;
}

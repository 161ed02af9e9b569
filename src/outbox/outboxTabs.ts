import { SyncError } from '../model/errors.js';
import { entryFrom, fromStoredError, toStored, toStoredError, type OutboxEntry } from './outboxEntry.js';
import type { OutboxListener } from './outboxOptions.js';
import type { OutboxPersistence } from './outboxPersistence.js';
import type { OutboxQueue } from './outboxQueue.js';
import type { OutboxRelay, RelayReport } from './outboxRelay.js';
import { settlePhase, type OutboxState } from './outboxState.js';
import type { PendingWrite } from '../model/types.js';
import type { StoredWrite } from '../platform/storage.js';

type Acked = Array<{ write: PendingWrite; v: number | undefined }>;

/** Leading: what the outbox tells the other tabs of their writes (`foreign` entries) it sends. */
export interface RelayReports {
  /** Tells the other tabs where their writes in `batch` stand. */
  states(batch: OutboxEntry[]): void;
  /**
   * Every ack goes to the other tabs (a write is reported to whichever tab holds it, so one this
   * tab took over from a gone tab still settles where it is shown); returns this tab's.
   */
  acked(acked: Acked, batch: OutboxEntry[]): Acked;
  /** Other tabs' failures are theirs to show, retry or discard: taken out; returns this tab's. */
  failed(failed: Array<[OutboxEntry, SyncError]>): Array<[OutboxEntry, SyncError]>;
}

export function createRelayReports(queue: OutboxQueue, relay: OutboxRelay): RelayReports {
  return {
    states(batch) {
      const writes = batch.filter((e) => e.foreign).map((e) => e.write);
      if (writes.length === 0) return;
      relay.report({ t: 'state', writes: writes.map((w) => [w.id, w.state, w.attempts, toStoredError(w.lastError)]) });
    },
    acked(acked, batch) {
      if (!relay.shared) return acked;
      relay.report({ t: 'acked', writes: acked.map((a) => [a.write.id, a.v]) });
      const foreign = new Set(batch.filter((e) => e.foreign).map((e) => e.write.id));
      return acked.filter((a) => !foreign.has(a.write.id));
    },
    failed(failed) {
      const foreign = failed.filter(([entry]) => entry.foreign);
      if (foreign.length === 0) return failed;
      queue.remove(new Set(foreign.map(([entry]) => entry.write.id)));
      relay.report({ t: 'failed', writes: foreign.map(([entry, error]) => [entry.write.id, toStoredError(error)]) });
      return failed.filter(([entry]) => !entry.foreign);
    },
  };
}

/** The outbox as the tab layer drives it (docs/tabs.md); the `Outbox` itself has none of this. */
export interface OutboxTabs {
  /** This tab follows from now (the relay says so already): returns the other tabs' writes it dropped. */
  followed(): PendingWrite[];
  /** Leading: another tab's stored write to send for it (once, however often it is announced). */
  take(write: StoredWrite): void;
  /** Leading: a follower discarded its queued write; taken out unless it is being sent. */
  withdraw(writeId: string): void;
  /** Following, when a new leader is elected: this tab's writes not yet acknowledged, for it to send. */
  handOver(): StoredWrite[];
  /** Following: what the leader says became of this tab's writes. */
  hear(report: RelayReport): void;
}

/**
 * The outbox's side of tab leadership: as the leader it sends other tabs' writes (`foreign`
 * entries, kept out of this tab's view); as a follower it hears what became of its own.
 */
export function createOutboxTabs(ctx: {
  state: OutboxState;
  queue: OutboxQueue;
  stores: OutboxPersistence;
  relay: OutboxRelay;
  listener: OutboxListener;
  fail(failed: Array<[OutboxEntry, SyncError]>): void;
  /** Takes queued writes out for good: removed, their promises rejected, forgotten by storage. */
  drop(entries: OutboxEntry[]): void;
  kick(urgent: boolean): void;
}): OutboxTabs {
  const { state, queue, relay, listener } = ctx;

  /** A write of this tab that the leader may report on. */
  const mine = (id: string) => {
    const entry = queue.get(id);
    return entry && !entry.foreign && entry.write.state !== 'failed' ? entry : undefined;
  };

  function hearAcked(writes: Array<[id: string, v: number | undefined]>) {
    const acked: Acked = [];
    for (const [id, v] of writes) {
      const entry = mine(id);
      entry?.settle.resolve();
      if (entry) acked.push({ write: entry.write, v });
    }
    queue.remove(new Set(acked.map((a) => a.write.id)));
    listener.acked(acked);
  }

  function hearFailed(writes: Array<[id: string, error: Parameters<typeof fromStoredError>[0]]>) {
    const failed: Array<[OutboxEntry, SyncError]> = [];
    for (const [id, error] of writes) {
      const entry = mine(id);
      if (entry) failed.push([entry, fromStoredError(error, false) ?? new SyncError('rejected', 'The write was refused.')]);
    }
    ctx.fail(failed);
  }

  return {
    followed() {
      // A follower never pushes: the leader sends its writes under the newest epoch. A fence
      // met while this tab still thought it led ends here. A follower counts as loaded.
      state.fencedBy = null;
      // Writes made while the first load ran have no seq yet: numbered now, in their order, then
      // stored and announced like any follower's (the load that was running leaves them be).
      if (state.phase === 'loading') {
        for (const entry of queue.entries()) {
          if (entry.write.seq !== 0) continue;
          queue.update(entry, { seq: ++state.lastSeq });
          entry.persisted = ctx.stores.persist([entry]);
          void entry.persisted.then(() => relay.announce(toStored(entry)));
        }
      }
      if (state.phase === 'loading' || state.phase === 'fenced') settlePhase(state);
      // Other tabs' writes are dropped: the leader finds them in storage.
      const others = queue.entries().filter((e) => e.foreign || e.clientId !== state.clientId);
      queue.remove(new Set(others.map((e) => e.write.id)));
      listener.changed();
      return others.map((e) => e.write);
    },

    take(write) {
      if (queue.get(write.id) || write.state === 'failed') return;
      queue.add({ ...entryFrom(write), foreign: true });
      ctx.kick(false);
    },

    withdraw(writeId) {
      const entry = queue.get(writeId);
      // One being sent may be applied already, so it stays (as a local discard of one does).
      if (!entry?.foreign || entry.write.state !== 'queued') return;
      ctx.drop([entry]);
      relay.report({ t: 'discarded', writes: [writeId] });
    },

    handOver() {
      // The old leader's pushes in flight are unanswered now: those writes wait again.
      const unsent = queue.entries().filter((e) => e.write.state !== 'failed');
      for (const e of unsent) if (e.write.state === 'sending') queue.update(e, { state: 'queued' });
      listener.changed();
      return unsent.map(toStored);
    },

    hear(report) {
      if (!relay.following()) return;
      if (report.t === 'discarded') {
        ctx.drop(report.writes.map(mine).filter((e): e is OutboxEntry => e?.write.state === 'queued'));
      } else if (report.t === 'state') {
        for (const [id, writeState, attempts, error] of report.writes) {
          const entry = mine(id);
          if (entry) queue.update(entry, { state: writeState, attempts, lastError: fromStoredError(error) });
        }
      } else if (report.t === 'acked') hearAcked(report.writes);
      else hearFailed(report.writes);
      listener.changed();
    },
  };
}

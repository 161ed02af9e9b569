import { SyncError } from '../model/errors.js';
import { entryFrom, fromStoredError, toStored, toStoredError, type OutboxEntry } from './outboxEntry.js';
import type { OutboxListener, OutboxRelay, RelayReport } from './outboxOptions.js';
import type { createOutboxQueue } from './outboxQueue.js';
import type { PendingWrite } from '../model/types.js';
import type { StoredWrite } from '../platform/storage.js';

type Acked = Array<{ write: PendingWrite; v: number | undefined }>;

/**
 * The outbox's side of tab leadership (docs/tabs.md): as the leader it sends other tabs' writes
 * (`foreign` entries, kept out of this tab's view) and reports what became of them; as a follower
 * it hears those reports about its own writes.
 */
export function createOutboxTabs(ctx: {
  queue: ReturnType<typeof createOutboxQueue>;
  relay: OutboxRelay | undefined;
  listener: OutboxListener;
  clientId: string;
  following(): boolean;
  fail(failed: Array<[OutboxEntry, SyncError]>): void;
  /** Takes queued writes out for good: removed, their promises rejected, forgotten by storage. */
  drop(entries: OutboxEntry[]): void;
  kick(): void;
}) {
  const { queue, relay, listener } = ctx;

  /** A write of this tab that the leader may report on. */
  const mine = (id: string) => {
    const entry = queue.get(id);
    return entry && !entry.foreign && entry.write.state !== 'failed' ? entry : undefined;
  };

  return {
    /** Leading: tells the other tabs where their writes in `batch` stand. */
    reportStates(batch: OutboxEntry[]) {
      const writes = batch.filter((e) => e.foreign).map((e) => e.write);
      if (writes.length === 0) return;
      relay?.report({ t: 'state', writes: writes.map((w) => [w.id, w.state, w.attempts, toStoredError(w.lastError)]) });
    },

    /**
     * Leading: every ack goes to the other tabs (a write is reported to whichever tab holds it, so
     * one this tab took over from a gone tab still settles where it is shown); returns this tab's.
     */
    acked(acked: Acked, batch: OutboxEntry[]): Acked {
      if (!relay) return acked;
      relay.report({ t: 'acked', writes: acked.map((a) => [a.write.id, a.v]) });
      const foreign = new Set(batch.filter((e) => e.foreign).map((e) => e.write.id));
      return acked.filter((a) => !foreign.has(a.write.id));
    },

    /** Leading: other tabs' failures are theirs to show, retry or discard; returns this tab's. */
    failed(failed: Array<[OutboxEntry, SyncError]>): Array<[OutboxEntry, SyncError]> {
      const foreign = failed.filter(([entry]) => entry.foreign);
      if (foreign.length === 0) return failed;
      queue.remove(new Set(foreign.map(([entry]) => entry.write.id)));
      relay?.report({ t: 'failed', writes: foreign.map(([entry, error]) => [entry.write.id, toStoredError(error)]) });
      return failed.filter(([entry]) => !entry.foreign);
    },

    /**
     * Leading: a follower discarded its write. Taken out while it waits; one being sent may be
     * applied already, so it stays (as a local discard of a write being sent does).
     */
    withdraw(writeId: string) {
      const entry = queue.get(writeId);
      if (!entry?.foreign || entry.write.state !== 'queued') return;
      ctx.drop([entry]);
      relay?.report({ t: 'discarded', writes: [writeId] });
    },

    /** Following: what the leader says became of this tab's writes. */
    hear(report: RelayReport) {
      if (!ctx.following()) return;
      if (report.t === 'discarded') {
        ctx.drop(report.writes.map(mine).filter((e): e is OutboxEntry => e?.write.state === 'queued'));
      } else if (report.t === 'state') {
        for (const [id, state, attempts, error] of report.writes) {
          const entry = mine(id);
          if (entry) queue.update(entry, { state, attempts, lastError: fromStoredError(error) });
        }
      } else if (report.t === 'acked') {
        const acked: Acked = [];
        for (const [id, v] of report.writes) {
          const entry = mine(id);
          entry?.settle.resolve();
          if (entry) acked.push({ write: entry.write, v });
        }
        queue.remove(new Set(acked.map((a) => a.write.id)));
        listener.acked(acked);
      } else {
        const failed: Array<[OutboxEntry, SyncError]> = [];
        for (const [id, error] of report.writes) {
          const entry = mine(id);
          if (entry) failed.push([entry, fromStoredError(error, false) ?? new SyncError('rejected', 'The write was refused.')]);
        }
        ctx.fail(failed);
      }
      listener.changed();
    },

    /** Following from now: drops other tabs' writes (the leader finds them in storage). */
    follow(): PendingWrite[] {
      const others = queue.entries().filter((e) => e.foreign || e.clientId !== ctx.clientId);
      queue.remove(new Set(others.map((e) => e.write.id)));
      listener.changed();
      return others.map((e) => e.write);
    },

    /** Leading: another tab's stored write to send for it (once, however often it is announced). */
    take(write: StoredWrite) {
      if (queue.get(write.id) || write.state === 'failed') return;
      queue.add({ ...entryFrom(write), foreign: true });
      ctx.kick();
    },

    /**
     * Following, when a new leader is elected: this tab's writes not yet acknowledged, for it to
     * send (the old one's pushes in flight are unanswered now: those writes wait again).
     */
    handOver(): StoredWrite[] {
      const unsent = queue.entries().filter((e) => e.write.state !== 'failed');
      for (const e of unsent) if (e.write.state === 'sending') queue.update(e, { state: 'queued' });
      listener.changed();
      return unsent.map(toStored);
    },
  };
}

import { OutboxFullError, SyncError } from '../model/errors.js';
import { findCoalesceTarget } from './outboxBatch.js';
import { entryFrom, toStored, type OutboxEntry } from './outboxEntry.js';
import { createOutboxLoader } from './outboxLoad.js';
import { createOutboxPersistence, safely } from './outboxPersistence.js';
import { createOutboxQueue } from './outboxQueue.js';
import { loneRelay } from './outboxRelay.js';
import { createOutboxSender } from './outboxSend.js';
import { createOutboxState } from './outboxState.js';
import { createOutboxTabs, createRelayReports, type OutboxTabs } from './outboxTabs.js';
import { randomId } from '../platform/randomId.js';
import { settledCount } from './settledCount.js';
import type { OutboxOptions } from './outboxOptions.js';
import type { PendingWrite } from '../model/types.js';
import type { StoredWrite } from '../platform/storage.js';

export type { OutboxListener, OutboxOptions } from './outboxOptions.js';
export type { OutboxRelay, RelayReport } from './outboxRelay.js';
export type { OutboxTabs } from './outboxTabs.js';
export { loneRelay } from './outboxRelay.js';

/**
 * The outbox (docs/outbox.md): serial (one push in flight), batched by window, count and bytes, in
 * order, persisted before sending, retried forever with full-jitter backoff while the failure is
 * retryable, never dropping a write. See docs/outbox.md for why each client instance has its own
 * clientId by default.
 *
 * Returns the outbox the client drives and its side for the tab layer (docs/tabs.md). Built in
 * this order: its state, its storage, what it reports to other tabs, its sending, its loading,
 * then the two faces. Who sends is the relay's to say (`options.relay`): the outbox keeps no
 * leadership of its own.
 */
export function createOutbox(options: OutboxOptions): { outbox: Outbox; tabs: OutboxTabs } {
  const { storage, namespace, clock, listener } = options;
  const relay = options.relay ?? loneRelay;
  const state = createOutboxState(options.clientId ?? options.freshClientId ?? randomId(clock.random));
  const { clientId } = state;
  const queue = createOutboxQueue();
  const stores = createOutboxPersistence({ storage, namespace, queue, listener });
  const { persist } = stores;
  // A stable clientId remembers its seq before writes are forgotten, so it never reuses one.
  const saveMeta = () => {
    if (options.clientId) state.seqs[clientId] = state.lastSeq;
    return safely(() => storage.saveMeta(namespace, { epoch: state.epoch, lastSeq: state.seqs }));
  };
  const reports = createRelayReports(queue, relay);

  /** Marks writes failed for good: settled, stored as failed, reported. */
  function fail(failed: Array<[OutboxEntry, SyncError]>) {
    if (failed.length === 0) return;
    for (const [entry, error] of failed) {
      queue.update(entry, { state: 'failed', lastError: error });
      entry.settle.reject(error);
    }
    void persist(failed.map(([entry]) => entry));
    listener.failed(reports.failed(failed).map(([entry, error]) => ({ write: entry.write, error })));
  }

  /** Takes writes out for good: removed, the queued ones' promises rejected, forgotten by storage. */
  function drop(entries: OutboxEntry[]) {
    if (entries.length === 0) return;
    const ids = entries.map((e) => e.write.id);
    queue.remove(new Set(ids));
    for (const entry of entries) {
      if (entry.write.state === 'queued') entry.settle.reject(new SyncError('rejected', 'The write was discarded before it was sent.'));
    }
    void stores.deleteWrites(ids);
    listener.discarded(entries.map((e) => e.write));
    listener.changed();
  }

  const parts = { options, state, queue, stores, relay, saveMeta, fail };
  const sender = createOutboxSender({ ...parts, reports });
  const { kick } = sender;
  const load = createOutboxLoader({ ...parts, kick });
  const tabs = createOutboxTabs({ state, queue, stores, relay, listener, fail, drop, kick });

  /**
   * Queues a new write, or a failed one again, and stores it at once. One made before the load
   * has no seq yet (0): the load numbers and stores it.
   */
  function add(write: StoredWrite): PendingWrite {
    const entry = entryFrom(write);
    if (write.seq > 0) entry.persisted = persist([entry]);
    // Stored first, so that it survives the leader dying; then the leader hears of it.
    if (relay.following()) void entry.persisted.then(() => relay.announce(toStored(entry)));
    queue.add(entry);
    listener.changed();
    kick(false);
    return entry.write;
  }

  function enqueue(threadId: string, name: string, args: unknown): PendingWrite {
    if (state.phase === 'disposed') throw disposedError();
    if (state.fencedBy) throw state.fencedBy;
    // A follower's write may already be with the leader: it is never changed after the fact.
    const target = !relay.following() && findCoalesceTarget(queue.entries(), clientId, threadId, name, args);
    if (target) {
      const { entry } = target;
      queue.update(entry, { args: target.args });
      entry.persisted = Promise.all([entry.persisted, persist([entry])]).then(() => {});
      listener.changed();
      return entry.write;
    }
    if (queue.entries().length >= options.maxPending) throw new OutboxFullError(options.maxPending);
    return add({
      id: randomId(clock.random),
      clientId,
      seq: state.phase === 'loading' ? 0 : ++state.lastSeq,
      threadId,
      name,
      args,
      createdAt: clock.now(),
      attempts: 0,
      state: 'queued',
      lastError: null,
    });
  }

  function retryWrite(writeId: string) {
    const entry = queue.get(writeId);
    if (!entry || entry.write.state !== 'failed' || state.fencedBy || state.phase === 'disposed') return;
    queue.remove(new Set([writeId]));
    const write = { ...toStored(entry), state: 'queued' as const, lastError: null };
    // One that may have been applied keeps its (clientId, seq): the server answers `duplicate`
    // instead of applying it twice. Any other takes a new seq at the end: the server has seen
    // higher seqs of this client since, and would answer the old one `out-of-order`.
    add(entry.maybeApplied ? write : { ...write, clientId, seq: ++state.lastSeq });
  }

  function discard(writeId: string) {
    const entry = queue.get(writeId);
    // A write being sent may already be applied: it cannot be taken back.
    if (!entry || entry.write.state === 'sending') return;
    // A follower's queued write is in the leader's hands: the leader takes it out, unless it is
    // sending it, and says so (after the announce of it, which a stored write has had).
    if (relay.following() && entry.write.state === 'queued') {
      void entry.persisted.then(() => relay.withdraw(writeId));
      return;
    }
    drop([entry]);
  }

  function flush(timeoutMs?: number): Promise<number> {
    if (state.phase === 'disposed') return Promise.reject(disposedError());
    const targets = queue.entries().filter((e) => e.write.state !== 'failed').map((e) => e.write.settled);
    kick(true);
    return settledCount(targets, clock, timeoutMs);
  }

  function stop() {
    state.startLater = false;
    if (state.phase === 'running') state.phase = 'stopped';
    sender.stop();
  }

  const outbox: Outbox = {
    clientId,
    load,
    retryNow: (fresh = true) => sender.retryNow(fresh),
    sendNow: () => kick(true),
    enqueue,
    retry: retryWrite,
    discard,
    flush,
    sendOnPageHide: sender.sendOnPageHide,
    start() {
      if (state.phase === 'stopped') state.phase = 'running';
      else if (state.phase === 'loading' || state.phase === 'fenced') state.startLater = true;
      kick(true);
    },
    stop,
    dispose() {
      stop();
      state.phase = 'disposed';
      // Nothing settles these any more (the writes stay stored for the next client): waiters hear it now.
      for (const e of queue.entries()) if (e.write.state !== 'failed') e.settle.reject(disposedError());
    },
    list: queue.list,
    size: queue.size,
    get: (writeId: string): PendingWrite | undefined => queue.get(writeId)?.write,
  };
  return { outbox, tabs };
}

/** The outbox as the client drives it; what happens to writes comes back through its listener. */
export interface Outbox {
  /** This outbox's id on the server (with `seq`, what it de-duplicates). */
  readonly clientId: string;
  /** Loads storage and sends: alone, or as the tabs' leader (taking over from the last one). */
  load(): Promise<void>;
  /** Skips the backoff wait; `fresh` (a person asking, the default) also starts the backoff over. */
  retryNow(fresh?: boolean): void;
  /** Sends what is queued now instead of when the batch window closes. */
  sendNow(): void;
  /** Queues a write (or joins a queued one it coalesces with) and stores it. */
  enqueue(threadId: string, name: string, args: unknown): PendingWrite;
  /** Sends a failed write again. */
  retry(writeId: string): void;
  /** Drops a write for good (not one being sent, nor a follower's queued one). */
  discard(writeId: string): void;
  /** Resolves once every write queued before the call settled, with the count acknowledged. */
  flush(timeoutMs?: number): Promise<number>;
  /** The last chance on `pagehide`: everything unacknowledged, with keepalive. */
  sendOnPageHide(): void;
  /** Sends from now (once loaded). */
  start(): void;
  /** Stops sending: timers cleared, the push in flight aborted. */
  stop(): void;
  /** Stops for good; waiters on unsettled writes hear `disposed` (the writes stay stored). */
  dispose(): void;
  /** Every write of this tab not acknowledged, failed ones included, in order; stable until a change. */
  list(): PendingWrite[];
  /** `list().length`, without building the list. */
  size(): number;
  /** One write of this tab's view, by id. */
  get(writeId: string): PendingWrite | undefined;
}

/** What every call of a disposed client says. */
export const disposedError = () =>
  new SyncError('rejected', 'The sync client was disposed; create a new one.', { code: 'disposed' });

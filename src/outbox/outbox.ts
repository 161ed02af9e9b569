import { retryDelay } from '../protocol/backoff.js';
import { createTimer } from '../platform/clock.js';
import { OutboxFullError, SyncError, toSyncError } from '../model/errors.js';
import { errorAction, findCoalesceTarget, keepaliveBatch, takeBatch } from './outboxBatch.js';
import { pushBatch, pushRequest } from './pushBatch.js';
import { entryFrom, rejectionError, toStored, type OutboxEntry } from './outboxEntry.js';
import { copyWireArgs } from '../protocol/wireArgs.js';
import { createOutboxPersistence, safely } from './outboxPersistence.js';
import { createOutboxQueue } from './outboxQueue.js';
import { createOutboxTabs } from './outboxTabs.js';
import { randomId } from '../platform/randomId.js';
import { settledCount } from './settledCount.js';
import type { OutboxOptions, RelayReport } from './outboxOptions.js';
import { restoreOutbox } from './restoreOutbox.js';
import type { PendingWrite } from '../model/types.js';
import type { PushResult } from '../protocol/wire.js';
import type { StoredWrite } from '../platform/storage.js';

export type { OutboxListener, OutboxOptions, OutboxRelay, RelayReport } from './outboxOptions.js';

/**
 * The outbox (docs/outbox.md): serial (one push in flight), batched by window, count and bytes, in
 * order, persisted before sending, retried forever with full-jitter backoff while the failure is
 * retryable, never dropping a write. See docs/outbox.md for why each client instance has its own
 * clientId by default.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { connector, storage, namespace, clock, listener, retry, relay } = options;
  const clientId = options.clientId ?? randomId(clock.random);
  const queue = createOutboxQueue();
  let epoch = 1;
  let lastSeq = 0;
  /** The highest seq each stable clientId ever used (OutboxMeta.lastSeq), kept whole. */
  let seqs: Record<string, number> = Object.create(null) as Record<string, number>;
  let phase: OutboxPhase = 'loading';
  /** `start()` came (and no `stop()` since) while loading or fenced: run once that ends. */
  let startLater = false;
  /** Why the outbox is fenced (phase 'fenced'); `follow()` lifts it. */
  let fencedBy: SyncError | null = null;
  /**
   * A tab that is not the leader: it stores and announces its writes; the leader sends them. Not a
   * phase: it outlives `dispose()` (a disposed follower's queued writes are still the leader's to
   * send, so `discard` leaves them), a follower is loaded and `start()`/`stop()` still apply to it,
   * and taking the lead runs `load()` again while the outbox stays stopped or running.
   */
  let following = false;
  const tabs = createOutboxTabs({
    queue,
    relay,
    listener,
    clientId,
    following: () => following,
    fail: (failed) => fail(failed),
    drop: (entries) => drop(entries),
    kick: () => kick(false),
  });
  let abortPush: AbortController | null = null;
  /** The batch window: writes queued meanwhile go out together. */
  const windowTimer = createTimer(clock);
  const backoffTimer = createTimer(clock);
  let failures = 0;
  let splitLimit = Infinity;

  const stores = createOutboxPersistence({ storage, namespace, queue, listener });
  const { persist, report: reportStorage } = stores;
  // A stable clientId remembers its seq before writes are forgotten, so it never reuses one.
  const saveMeta = () => {
    if (options.clientId) seqs[clientId] = lastSeq;
    return safely(() => storage.saveMeta(namespace, { epoch, lastSeq: seqs }));
  };

  async function load(): Promise<void> {
    // Loading is leading (or being alone) from now on; a follow() while storage is read wins.
    following = false;
    const restored = await restoreOutbox(options, clientId).catch((error: unknown) => {
      reportStorage(error);
      return { meta: undefined, stored: [], live: new Set<string>() };
    });
    if (phase === 'disposed') return;
    // Another tab took the lead meanwhile: the stored writes are its to send (follow() numbered
    // and announced the ones made here during the load).
    if (following) return;
    epoch = (restored.meta?.epoch ?? 0) + 1;
    seqs = Object.assign(Object.create(null) as Record<string, number>, restored.meta?.lastSeq);
    // Stored writes go first, in their order; the ones already here (made while following, or
    // taken from other tabs) keep their entry. Writes made before the load have no seq yet: they
    // are numbered now, after every seq this clientId ever used, and stored.
    const early = new Map(queue.takeAll().map((e) => [e.write.id, e]));
    const unsendable: Array<[OutboxEntry, SyncError]> = [];
    for (const w of restored.stored) {
      const here = early.get(w.id);
      early.delete(w.id);
      if (here) {
        queue.add(here);
        continue;
      }
      // A live tab's write: alone, it is that tab's to send; as the leader, this tab sends it for
      // that tab (which keeps it on screen, and its failures: those are left to it).
      const live = restored.live.has(w.clientId);
      if (live && (!relay || w.state === 'failed')) continue;
      const entry: OutboxEntry = live ? { ...entryFrom(w), foreign: true } : entryFrom(w);
      queue.add(entry);
      // An older version may have stored args JSON cannot carry (a BigInt): that write fails
      // alone, instead of failing every push behind it.
      try {
        if (w.state === 'queued') copyWireArgs(w.args, w.name);
      } catch (error) {
        unsendable.push([entry, error as SyncError]);
      }
    }
    fail(unsendable);
    const own = restored.stored.filter((w) => w.clientId === clientId);
    lastSeq = Math.max(lastSeq, seqs[clientId] ?? 0, ...own.map((w) => w.seq));
    const numbered: OutboxEntry[] = [];
    for (const entry of early.values()) {
      if (entry.write.seq === 0) {
        entry.write = { ...entry.write, seq: ++lastSeq };
        numbered.push(entry);
      }
      queue.add(entry);
    }
    // Writes the last leader was sending for this tab: its answer will never come here.
    for (const entry of queue.entries()) if (entry.write.state === 'sending') queue.update(entry, { state: 'queued' });
    await saveMeta().catch(reportStorage);
    if (numbered.length > 0) await persist(numbered);
    // Writes made while storage was busy have no seq either: numbered now, before any is sent.
    for (const entry of queue.entries()) {
      if (entry.write.seq !== 0) continue;
      queue.update(entry, { seq: ++lastSeq });
      entry.persisted = persist([entry]);
    }
    if (phase === 'loading') phase = startLater ? 'running' : 'stopped';
    listener.changed();
    kick(true);
  }

  /**
   * Queues a new write, or a failed one again, and stores it at once. One made before the load
   * has no seq yet (0): the load numbers and stores it.
   */
  function add(write: StoredWrite): PendingWrite {
    const entry = entryFrom(write);
    if (write.seq > 0) entry.persisted = persist([entry]);
    // Stored first, so that it survives the leader dying; then the leader hears of it.
    if (following) void entry.persisted.then(() => relay?.announce(toStored(entry)));
    queue.add(entry);
    listener.changed();
    kick(false);
    return entry.write;
  }

  function enqueue(threadId: string, name: string, args: unknown): PendingWrite {
    if (phase === 'disposed') throw disposedError();
    if (fencedBy) throw fencedBy;
    // A follower's write may already be with the leader: it is never changed after the fact.
    const target = !following && findCoalesceTarget(queue.entries(), clientId, threadId, name, args);
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
      seq: phase === 'loading' ? 0 : ++lastSeq,
      threadId,
      name,
      args,
      createdAt: clock.now(),
      attempts: 0,
      state: 'queued',
      lastError: null,
    });
  }

  function clearTimers() {
    windowTimer.clear();
    backoffTimer.clear();
  }

  /** Sends now (`urgent`) or when the batch window closes. */
  function kick(urgent: boolean) {
    const canSend = phase === 'running' && !abortPush && !backoffTimer.pending();
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
    tabs.reportStates(batch);
    listener.changed();
    listener.pushStarted(threadIds);
    const { results, error } = await pushBatch(connector, batch, epoch, signal);
    abortPush = null;
    if (phase === 'disposed') return;
    let nextRetryAt: number | null = null;
    if (error) nextRetryAt = handleError(batch, error);
    else handleResults(batch, results);
    tabs.reportStates(batch.filter((e) => e.write.state === 'queued'));
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
      void (options.clientId ? saveMeta() : Promise.resolve())
        .then(() => stores.deleteWrites(ids))
        .catch(reportStorage);
      listener.acked(tabs.acked(acked, batch));
    }
    for (const entry of unseen) {
      queue.remove(new Set([entry.write.id]));
      entry.clientId = clientId;
      entry.write = { ...entry.write, seq: ++lastSeq, state: 'queued', lastError: null };
      entry.persisted = persist([entry]);
      queue.add(entry);
    }
    fail(refused);
  }

  /** Marks writes failed for good: settled, stored as failed, reported. */
  function fail(failed: Array<[OutboxEntry, SyncError]>) {
    if (failed.length === 0) return;
    for (const [entry, error] of failed) {
      queue.update(entry, { state: 'failed', lastError: error });
      entry.settle.reject(error);
    }
    void persist(failed.map(([entry]) => entry));
    listener.failed(tabs.failed(failed).map(([entry, error]) => ({ write: entry.write, error })));
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
    if (flagged.length > 0) void persist(flagged);
    switch (errorAction(error, batch.length)) {
      case 'fenced':
        fencedBy = error;
        startLater = phase === 'running';
        phase = 'fenced';
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

  function retryWrite(writeId: string) {
    const entry = queue.get(writeId);
    if (!entry || entry.write.state !== 'failed' || fencedBy || phase === 'disposed') return;
    queue.remove(new Set([writeId]));
    const write = { ...toStored(entry), state: 'queued' as const, lastError: null };
    // One that may have been applied keeps its (clientId, seq): the server answers `duplicate`
    // instead of applying it twice. Any other takes a new seq at the end: the server has seen
    // higher seqs of this client since, and would answer the old one `out-of-order`.
    add(entry.maybeApplied ? write : { ...write, clientId, seq: ++lastSeq });
  }

  function discard(writeId: string) {
    const entry = queue.get(writeId);
    // A write being sent may already be applied: it cannot be taken back.
    if (!entry || entry.write.state === 'sending') return;
    // A follower's queued write is in the leader's hands: the leader takes it out, unless it is
    // sending it, and says so (after the announce of it, which a stored write has had).
    if (following && entry.write.state === 'queued') {
      void entry.persisted.then(() => relay?.withdraw(writeId));
      return;
    }
    drop([entry]);
  }

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

  function flush(timeoutMs?: number): Promise<number> {
    if (phase === 'disposed') return Promise.reject(disposedError());
    const targets = queue.entries().filter((e) => e.write.state !== 'failed').map((e) => e.write.settled);
    kick(true);
    return settledCount(targets, clock, timeoutMs);
  }

  /** The last chance on `pagehide`: everything unacknowledged, with keepalive, no waiting. */
  function sendOnPageHide() {
    if ((phase !== 'stopped' && phase !== 'running') || following) return;
    const batch = keepaliveBatch(queue.entries());
    if (batch.length === 0) return;
    void connector.push(pushRequest(batch, epoch), { keepalive: true }).catch(() => {});
  }

  function stop() {
    startLater = false;
    if (phase === 'running') phase = 'stopped';
    clearTimers();
    abortPush?.abort();
  }

  return {
    clientId,
    /** Loads storage and sends: alone, or as the tabs' leader (taking over from the last one). */
    load,
    /** Not the leader: this tab's writes are stored and announced, and sent by the leader. */
    follow(): PendingWrite[] {
      following = true;
      // A follower never pushes: the leader sends its writes under the newest epoch. A fence
      // met while this tab still thought it led ends here. A follower counts as loaded.
      fencedBy = null;
      // Writes made while the first load ran have no seq yet: numbered now, in their order, then
      // stored and announced like any follower's (the load that was running leaves them be).
      if (phase === 'loading') {
        for (const entry of queue.entries()) {
          if (entry.write.seq !== 0) continue;
          queue.update(entry, { seq: ++lastSeq });
          entry.persisted = persist([entry]);
          void entry.persisted.then(() => relay?.announce(toStored(entry)));
        }
      }
      if (phase === 'loading' || phase === 'fenced') phase = startLater ? 'running' : 'stopped';
      return tabs.follow();
    },
    following: () => following,
    take: tabs.take,
    withdraw: tabs.withdraw,
    handOver: tabs.handOver,
    hear: tabs.hear,
    /**
     * Skips the backoff wait (not the order, nor the batching). A person asking starts the
     * backoff over; the server coming back (`fresh` false) keeps it, should it fail again.
     */
    retryNow(fresh = true) {
      clearTimers();
      if (fresh) failures = 0;
      kick(true);
    },
    /** Sends what is queued now instead of when the batch window closes. */
    sendNow: () => kick(true),
    enqueue,
    retry: retryWrite,
    discard,
    flush,
    sendOnPageHide,
    start() {
      if (phase === 'stopped') phase = 'running';
      else if (phase === 'loading' || phase === 'fenced') startLater = true;
      kick(true);
    },
    stop,
    dispose() {
      stop();
      phase = 'disposed';
      // Nothing settles these any more (the writes stay stored for the next client): waiters hear it now.
      for (const e of queue.entries()) if (e.write.state !== 'failed') e.settle.reject(disposedError());
    },
    list: queue.list,
    get: (writeId: string): PendingWrite | undefined => queue.get(writeId)?.write,
  };
}

/**
 * Where the outbox is in its life. `loading`: reading the stored writes (nothing is sent);
 * `stopped` / `running`: loaded, sending only while running; `fenced`: a newer epoch took the
 * outbox over (a 409): it sends nothing until `follow()`; `disposed`: final.
 */
type OutboxPhase = 'loading' | 'stopped' | 'running' | 'fenced' | 'disposed';

/** The outbox as the client (and the tab link) drives it; what happens to writes comes back through its listener. */
export interface Outbox {
  /** This outbox's id on the server (with `seq`, what it de-duplicates). */
  readonly clientId: string;
  /** Loads storage and sends: alone, or as the tabs' leader (taking over from the last one). */
  load(): Promise<void>;
  /** Not the leader from now: returns the other tabs' writes it dropped (the leader sends them). */
  follow(): PendingWrite[];
  /** Whether this tab follows (another tab's leader sends its writes). */
  following(): boolean;
  /** Leading: another tab's stored write to send for it. */
  take(write: StoredWrite): void;
  /** Leading: a follower discarded its queued write; taken out unless it is being sent. */
  withdraw(writeId: string): void;
  /** Following, when a new leader is elected: this tab's writes not yet acknowledged, for it to send. */
  handOver(): StoredWrite[];
  /** Following: what the leader says became of this tab's writes. */
  hear(report: RelayReport): void;
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
  /** One write of this tab's view, by id. */
  get(writeId: string): PendingWrite | undefined;
}

/** What every call of a disposed client says. */
export const disposedError = () =>
  new SyncError('rejected', 'The sync client was disposed; create a new one.', { code: 'disposed' });

/**
 * Whether the server may have applied a push that failed so: no answer (network, timeout), an
 * unreadable one, or a 408, 429 or 5xx. A 4xx that refused the request means it was not.
 */
function mayHaveApplied(error: SyncError): boolean {
  const { status } = error;
  if (status === undefined) return error.kind === 'network' || error.kind === 'timeout' || error.kind === 'protocol';
  return status < 300 || status === 408 || status === 429 || status >= 500;
}


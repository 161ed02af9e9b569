import { disposedError } from '../outbox/outbox.js';
import type { OutboxStorage } from '../platform/storage.js';
import { invalidArgs, validateWith, type StandardSchemaV1 } from '../model/standardSchema.js';
import type { Mutator } from '../model/types.js';
import { erasePending } from './cacheOption.js';
import type { ClientCore } from './clientCore.js';
import type { ClientWired } from './clientWired.js';
import type { ClientLoad } from './clientLoad.js';
import type { ClientSession } from './clientSession.js';
import type { StoreCommitter } from './commit.js';
import { prepareWrite } from './prepareWrite.js';
import { selectPending, selectStatus } from './selectors.js';
import type { UntypedClient, UntypedState, UntypedStore } from './types.js';

/** The client as the app sees it (SyncClient in src/client/types.ts), over the parts built before. */
export function createClientApi(
  core: ClientCore,
  wired: ClientWired,
  ctx: {
    mutators: Record<string, Mutator>;
    argSchemas: Partial<Record<string, StandardSchemaV1>>;
    storage: OutboxStorage;
    /** Erases the copy's storage when the copy is off (docs/local-copy.md). */
    erase: { clear(namespace: string): Promise<void> } | undefined;
    store: UntypedStore;
    committer: StoreCommitter;
    load: ClientLoad;
    session: ClientSession;
    releaseLock: (() => void) | undefined;
  },
): UntypedClient {
  const { clock, life, book, interest, copy, role, tabs, traced, namespace } = core;
  const { outbox, pulls } = wired;
  const { store, committer, session } = ctx;
  const commit = committer.schedule;

  /** Reads the store as the hooks do, after publishing anything waiting. */
  const read = <T>(select: (state: UntypedState, threadId?: string) => T, threadId?: string): T => {
    committer.flush();
    return select(store.getState(), threadId);
  };

  const client: UntypedClient = {
    store,
    ready: ctx.load.ready,
    getThread: book.view,
    getConfirmedThread: book.confirmed,
    getSyncStatus: (threadId) => read(selectStatus, threadId),
    getPendingItems: (threadId) => read(selectPending, threadId),
    start: session.start,
    reconnect: session.reconnect,
    stop: session.stop,
    dispose() {
      client.stop();
      outbox.dispose();
      tabs?.close();
      ctx.releaseLock?.();
      wired.sink.cancel();
      life.disposed = true;
      void copy?.flush();
      copy?.dispose();
    },
    async clearLocalData(opts) {
      await (copy ? copy.clear() : ctx.erase?.clear(namespace));
      if (opts?.includePending) await erasePending(outbox, ctx.storage, namespace);
    },
    watch(threadId) {
      const unwatch = interest.watch(threadId);
      copy?.watched(threadId);
      tabs?.watched();
      pulls.soon();
      return () => {
        unwatch();
        copy?.watched(threadId);
        tabs?.watched();
      };
    },
    mutate(threadId, name, args) {
      if (life.disposed) throw disposedError();
      const schema = Object.hasOwn(ctx.argSchemas, name) ? ctx.argSchemas[name] : undefined;
      const problem = schema && validateWith(schema, args, 'args');
      if (problem) throw invalidArgs(name, problem);
      const prepared = prepareWrite(ctx.mutators, book.view(threadId), { threadId, name, args, now: clock.now() });
      const write = outbox.enqueue(threadId, name, prepared.args);
      traced.queued(write); // metrics hook
      book.setView(threadId, prepared.view);
      commit();
      return write;
    },
    queueForSync(threadId) {
      outbox.sendNow();
      pulls.threadSoon(threadId);
    },
    async syncImmediately(threadId) {
      if (life.disposed) throw disposedError();
      interest.ask(threadId);
      outbox.sendNow();
      if (role.following()) pulls.soon();
      else await pulls.now();
    },
    flushPending: (opts) => outbox.flush(opts?.timeoutMs),
    getHealthStatus: core.health.now,
    retry(writeId) {
      const write = outbox.get(writeId);
      outbox.retry(writeId);
      if (write) core.recompute([write]);
      commit();
    },
    discard(writeId) {
      outbox.discard(writeId);
      commit();
    },
    recordActivity: wired.poller.recordActivity,
    observe: traced.trace.observe, // metrics hook
    getMetrics: traced.read, // metrics hook
  };
  return client;
}

import type { SyncError } from '../model/errors.js';
import { entryFrom, type OutboxEntry } from './outboxEntry.js';
import { copyWireArgs } from '../protocol/wireArgs.js';
import { settlePhase, type OutboxParts } from './outboxState.js';
import { restoreOutbox } from './restoreOutbox.js';

/**
 * Loading storage (docs/outbox.md): alone, or as the tabs' leader taking over from the last one.
 * The stored writes go in front, a new epoch is taken, and every write made before has its seq.
 */
export function createOutboxLoader(ctx: OutboxParts & { kick(urgent: boolean): void }): () => Promise<void> {
  const { options, state, queue, stores, relay } = ctx;
  const { persist } = stores;

  return async function load(): Promise<void> {
    const restored = await restoreOutbox(options, state.clientId).catch((error: unknown) => {
      stores.report(error);
      return { meta: undefined, stored: [], live: new Set<string>() };
    });
    if (state.phase === 'disposed') return;
    // Another tab took the lead meanwhile: the stored writes are its to send (following numbered
    // and announced the ones made here during the load).
    if (relay.following()) return;
    state.epoch = (restored.meta?.epoch ?? 0) + 1;
    state.seqs = Object.assign(Object.create(null) as Record<string, number>, restored.meta?.lastSeq);
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
      if (live && (!relay.shared || w.state === 'failed')) continue;
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
    ctx.fail(unsendable);
    const own = restored.stored.filter((w) => w.clientId === state.clientId);
    state.lastSeq = Math.max(state.lastSeq, state.seqs[state.clientId] ?? 0, ...own.map((w) => w.seq));
    const numbered: OutboxEntry[] = [];
    for (const entry of early.values()) {
      if (entry.write.seq === 0) {
        entry.write = { ...entry.write, seq: ++state.lastSeq };
        numbered.push(entry);
      }
      queue.add(entry);
    }
    // Writes the last leader was sending for this tab: its answer will never come here.
    for (const entry of queue.entries()) if (entry.write.state === 'sending') queue.update(entry, { state: 'queued' });
    await ctx.saveMeta().catch(stores.report);
    if (numbered.length > 0) await persist(numbered);
    // Writes made while storage was busy have no seq either: numbered now, before any is sent.
    for (const entry of queue.entries()) {
      if (entry.write.seq !== 0) continue;
      queue.update(entry, { seq: ++state.lastSeq });
      entry.persisted = persist([entry]);
    }
    if (state.phase === 'loading') settlePhase(state);
    options.listener.changed();
    ctx.kick(true);
  };
}

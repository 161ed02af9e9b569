import type { PushResult } from '../protocol/wire.js';
import { forgottenBefore } from './semantics/retention.js';
import type { Changes, ClientRecord } from './semantics/transaction.js';

/*
 * The memory store's clients and their first results, pruned past the idempotency retention
 * (src/server/semantics/retention.ts; docs/server.md, "Idempotency retention") and past a cap on
 * results, so that memory follows the clients of the last retention, not every client ever seen.
 * Results sit in one queue in the order they were recorded (oldest first) and clients in a Map in
 * the order they were last active: a prune only looks at what it drops.
 */

export interface ClientState extends ClientRecord {
  /** The first answer for every seq still kept, replayed for duplicates. */
  results: Map<number, PushResult>;
  activeAt: number;
}

export interface MemoryClients {
  /** The client's record, created if the store does not know it (or no longer does). */
  lock(clientId: string, principal: string | null, now: number): ClientState;
  results(clientId: string): ReadonlyMap<number, PushResult> | undefined;
  /** A push's changes to its client: epoch, seqs, and the first result of each new seq. */
  write(client: NonNullable<Changes['client']>, now: number): void;
  /** Drops results recorded and clients last active before `now - retentionMs`, and the oldest results past the cap. */
  prune(now: number): void;
  counts(): { clients: number; results: number };
}

interface Kept {
  state: ClientState;
  seq: number;
  at: number;
}

export function createMemoryClients(retentionMs: number, maxResults: number): MemoryClients {
  const clients = new Map<string, ClientState>();
  let queue: Kept[] = [];
  let head = 0; // index of the oldest kept result
  /** The latest last-activity of a client this store forgot (0: none). */
  let forgottenActive = 0;

  function dropOldest() {
    const { state, seq } = queue[head]!;
    queue[head++] = undefined as unknown as Kept;
    if (state.results.delete(seq)) state.prunedSeq = Math.max(state.prunedSeq, seq);
    // Shift the array only now and then, so pruning stays O(1) amortised.
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  return {
    lock(clientId, principal, now) {
      let state = clients.get(clientId);
      if (state) {
        state.forgottenBefore = 0;
      } else {
        const before = forgottenBefore(forgottenActive, retentionMs);
        state = { epoch: 0, lastSeq: 0, principal: null, prunedSeq: 0, forgottenBefore: before, results: new Map(), activeAt: now };
        clients.set(clientId, state);
      }
      state.principal ??= principal;
      return state;
    },
    results: (clientId) => clients.get(clientId)?.results,
    write(client, now) {
      const state = clients.get(client.clientId)!;
      state.epoch = client.epoch;
      state.lastSeq = client.lastSeq;
      state.prunedSeq = client.prunedSeq;
      state.activeAt = now;
      // Last in the Map: the order of activity.
      clients.delete(client.clientId);
      clients.set(client.clientId, state);
      for (const r of client.recorded) {
        state.results.set(r.seq, { seq: r.seq, ...r.result });
        queue.push({ state, seq: r.seq, at: now });
      }
    },
    prune(now) {
      const cutoff = now - retentionMs;
      for (const [clientId, state] of clients) {
        if (state.activeAt >= cutoff) break;
        clients.delete(clientId);
        forgottenActive = Math.max(forgottenActive, state.activeAt);
      }
      while (head < queue.length && (queue[head]!.at < cutoff || queue.length - head > maxResults)) dropOldest();
    },
    counts: () => ({ clients: clients.size, results: queue.length - head }),
  };
}

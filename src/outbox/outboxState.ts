import type { SyncError } from '../model/errors.js';
import type { OutboxEntry } from './outboxEntry.js';
import type { OutboxOptions } from './outboxOptions.js';
import type { OutboxPersistence } from './outboxPersistence.js';
import type { OutboxQueue } from './outboxQueue.js';
import type { OutboxRelay } from './outboxRelay.js';

/**
 * Where the outbox is in its life. `loading`: reading the stored writes (nothing is sent);
 * `stopped` / `running`: loaded, sending only while running; `fenced`: a newer epoch took the
 * outbox over (a 409): it sends nothing until this tab follows; `disposed`: final.
 */
export type OutboxPhase = 'loading' | 'stopped' | 'running' | 'fenced' | 'disposed';

/** What the outbox's parts (loading, sending, the tab side) share; one object, read and set in place. */
export interface OutboxState {
  /** This outbox's id on the server (with `seq`, what it de-duplicates). */
  readonly clientId: string;
  epoch: number;
  lastSeq: number;
  /** The highest seq each stable clientId ever used (OutboxMeta.lastSeq), kept whole. */
  seqs: Record<string, number>;
  phase: OutboxPhase;
  /** `start()` came (and no `stop()` since) while loading or fenced: run once that ends. */
  startLater: boolean;
  /** Why the outbox is fenced (phase 'fenced'); following lifts it. */
  fencedBy: SyncError | null;
}

export function createOutboxState(clientId: string): OutboxState {
  return {
    clientId,
    epoch: 1,
    lastSeq: 0,
    seqs: Object.create(null) as Record<string, number>,
    phase: 'loading',
    startLater: false,
    fencedBy: null,
  };
}

/** Loaded, or following (a follower counts as loaded): the phase that `start()`/`stop()` left. */
export function settlePhase(state: OutboxState): void {
  state.phase = state.startLater ? 'running' : 'stopped';
}

/** What the outbox's parts (src/outbox/outboxSend.ts, outboxLoad.ts) are built from. */
export interface OutboxParts {
  options: OutboxOptions;
  state: OutboxState;
  queue: OutboxQueue;
  stores: OutboxPersistence;
  relay: OutboxRelay;
  saveMeta(): Promise<void>;
  /** Marks writes failed for good: settled, stored as failed, reported. */
  fail(failed: Array<[OutboxEntry, SyncError]>): void;
}

import type { PendingWriteState } from '../model/types.js';
import type { StoredError, StoredWrite } from '../platform/storage.js';

/** What became of other tabs' writes, as the leader tells them (plain data: it is broadcast). */
export type RelayReport =
  | { t: 'state'; writes: Array<[id: string, state: PendingWriteState, attempts: number, error: StoredError | null]> }
  | { t: 'acked'; writes: Array<[id: string, v: number | undefined]> }
  | { t: 'failed'; writes: Array<[id: string, error: StoredError | null]> }
  /** Writes a follower asked to discard, taken out before they were sent. */
  | { t: 'discarded'; writes: string[] };

/**
 * Who sends this outbox's writes, and how it talks to the other tabs (docs/tabs.md). The outbox
 * keeps no leadership of its own: it asks this. The tab layer implements it (src/client/tabs.ts);
 * a lone client's is {@link loneRelay}.
 */
export interface OutboxRelay {
  /** Tabs share the stored writes: loading, this tab sends other live tabs' writes for them. */
  readonly shared: boolean;
  /** Another tab leads: this one stores and announces its writes, and the leader sends them. */
  following(): boolean;
  /** Following: this tab's write is stored; the leader must hear of it. */
  announce(write: StoredWrite): void;
  /** Following: the person discarded this tab's queued write; the leader takes it out if it is not being sent. */
  withdraw(writeId: string): void;
  /** Leading: what became of other tabs' writes. */
  report(report: RelayReport): void;
}

/** A client alone: it always sends its own writes, and there is nobody to tell. */
export const loneRelay: OutboxRelay = {
  shared: false,
  following: () => false,
  announce() {},
  withdraw() {},
  report() {},
};

import type { PushResult, WireMutation } from '../../protocol/wire.js';
import type { ClientRecord } from './transaction.js';

/*
 * Idempotency retention (docs/server.md, "Idempotency retention"): a store keeps the first result
 * of each (clientId, seq) for `idempotencyRetentionMs` after it was recorded, and a client record
 * for as long after the client's last push; then it prunes them. A client that comes back later
 * with a write the server may have applied must neither have it applied twice nor lose it
 * silently: such a write answers `rejected` with code `expired`, so the client shows it failed
 * (rolled back, with Retry and Discard) and a person decides. These are the rules every store
 * shares; the stores only prune.
 */

/** A week: longer than a laptop stays closed over a holiday weekend with writes in its outbox. */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * How long a store may wait between two prunes: a tenth of the retention, at most a minute, so
 * rows live at most about 10 % past it.
 */
export const pruneIntervalMs = (retentionMs: number) => Math.max(1, Math.min(60_000, Math.floor(retentionMs / 10)));

/**
 * `forgottenBefore` for a record created now (ClientRecord): the store forgot clients idle since
 * `forgottenActive` at the latest. A forgotten client's writes were created before that; a new
 * client's writes now, at least a retention later. Half-way between the two is the line, so
 * either side's clock may be off by half the retention (3.5 days by default).
 */
export const forgottenBefore = (forgottenActive: number, retentionMs: number) =>
  forgottenActive > 0 ? forgottenActive + Math.floor(retentionMs / 2) : 0;

/** What a push's mutation is to the store, before it runs. */
export type Verdict = 'duplicate' | 'expired' | 'out-of-order' | 'new';

/**
 * One mutation, judged in push order (`last` is the highest seq judged so far, starting at the
 * record's lastSeq): a seq seen before is a duplicate; an unseen one whose result may have been
 * pruned, or created before a forgotten record's time, is expired; an unseen one below `last` was
 * never applied (out-of-order); anything else is new.
 */
export function judge(m: WireMutation, client: ClientRecord, seen: ReadonlyMap<number, PushResult>, last: number): Verdict {
  if (seen.has(m.seq)) return 'duplicate';
  if (m.seq <= client.prunedSeq) return 'expired';
  if (m.seq < last) return 'out-of-order';
  if (m.createdAt < client.forgottenBefore) return 'expired';
  return 'new';
}

export const expiredMessage = (seq: number, clientId: string) =>
  `The server no longer keeps what it answered to seq ${seq} of client ${clientId} (idempotency retention, docs/server.md): ` +
  'it may have been applied. Check the thread, then retry or discard this write.';

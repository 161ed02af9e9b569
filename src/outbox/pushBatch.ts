import { SyncError, toSyncError } from '../model/errors.js';
import { toWire, type OutboxEntry } from './outboxEntry.js';
import type { PushRequest, PushResult, SyncConnector } from '../protocol/wire.js';

export type PushOutcome = { results: PushResult[]; error: null } | { results: null; error: SyncError };

/** The push body of a batch (every write in it has the same clientId). */
export function pushRequest(batch: readonly OutboxEntry[], epoch: number): PushRequest {
  return { clientId: batch[0]!.clientId, epoch, mutations: batch.map((e) => toWire(e.write)) };
}

/**
 * One push of one batch: sent only once every write in it is stored. The answer must name a
 * result for every write, in any order, or the outcome is unknown (a retryable protocol error).
 */
export async function pushBatch(
  connector: SyncConnector,
  batch: readonly OutboxEntry[],
  epoch: number,
  signal: AbortSignal,
): Promise<PushOutcome> {
  try {
    await Promise.all(batch.map((e) => e.persisted));
    if (signal.aborted) throw new SyncError('network', 'The push was stopped.');
    const response = await connector.push(pushRequest(batch, epoch), { signal });
    const bySeq = new Map(response.results.map((r) => [r.seq, r]));
    const results = batch.map((e) => bySeq.get(e.write.seq));
    if (results.every((r) => r !== undefined)) return { results, error: null };
    throw new SyncError('protocol', 'The push answer did not list a result for every write sent.', { retryable: true });
  } catch (caught) {
    return { results: null, error: toSyncError(caught, 'network', 'The push failed') };
  }
}

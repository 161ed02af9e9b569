import { SyncError, toSyncError } from './errors.js';
import { resultsFor } from './outboxBatch.js';
import { toWire, type OutboxEntry } from './outboxEntry.js';
import type { PushResult, SyncConnector } from './types.js';

export type PushOutcome = { results: PushResult[]; error: null } | { results: null; error: SyncError };

/**
 * One push of one batch: sent only once every write in it is stored; the answer must name a
 * result for every write, or the outcome is unknown (a retryable protocol error).
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
    const response = await connector.push(
      { clientId: batch[0]!.clientId, epoch, mutations: batch.map((e) => toWire(e.write)) },
      { signal },
    );
    const results = resultsFor(batch, response);
    if (results) return { results, error: null };
    return {
      results: null,
      error: new SyncError('protocol', 'The push answer did not list a result for every write sent.', { retryable: true }),
    };
  } catch (caught) {
    return { results: null, error: toSyncError(caught, 'network', 'The push failed') };
  }
}

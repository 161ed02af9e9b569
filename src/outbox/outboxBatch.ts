import type { OutboxEntry } from './outboxEntry.js';
import { wireSize } from './outboxEntry.js';
import type { SyncError } from '../model/errors.js';
import { isRecord } from '../model/isRecord.js';
import { retriedByItself } from '../protocol/backoff.js';
import type { PendingWriteState } from '../model/types.js';

export interface BatchLimits {
  maxItems: number;
  maxBytes: number;
}

/**
 * The next batch: queued writes from the front, one clientId per push (the server orders and
 * de-duplicates per clientId), bounded by count and bytes. A single write larger than `maxBytes`
 * still goes alone: refusing it here would strand it forever; the server answers 413 if it must.
 */
export function takeBatch(
  entries: readonly OutboxEntry[],
  limits: BatchLimits,
  sendable: (state: PendingWriteState) => boolean = (state) => state === 'queued',
): OutboxEntry[] {
  const batch: OutboxEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (!sendable(entry.write.state)) continue;
    if (batch.length > 0 && entry.clientId !== batch[0]!.clientId) break;
    const size = wireSize(entry.write);
    if (batch.length > 0 && (batch.length >= limits.maxItems || bytes + size > limits.maxBytes)) break;
    batch.push(entry);
    bytes += size;
  }
  return batch;
}

/**
 * Coalescing (docs/outbox.md): an `appendDelta` to the message the thread's latest queued write also
 * appends to merges into it (texts joined); a `setTitle` replaces the thread's queued `setTitle`
 * (last wins: titles commute with every built-in). Only writes not yet sending are touched; a
 * merged write keeps its seq and the new one never gets one, a gap the protocol allows.
 * Returns the entry to merge into and its new args, or null.
 */
export function findCoalesceTarget(
  entries: readonly OutboxEntry[],
  clientId: string,
  threadId: string,
  name: string,
  args: unknown,
): { entry: OutboxEntry; args: unknown } | null {
  if (!isRecord(args)) return null;
  const delta = name === 'appendDelta' && typeof args.text === 'string';
  if (!delta && !(name === 'setTitle' && typeof args.title === 'string')) return null;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    const { state, name: prevName, args: prev } = entry.write;
    if (entry.write.threadId !== threadId || state === 'failed') continue;
    if (state !== 'queued' || entry.clientId !== clientId) return null;
    if (delta) {
      // Only the thread's latest write may absorb a delta: order matters for messages.
      if (prevName !== name || !isRecord(prev) || prev.messageId !== args.messageId || typeof prev.text !== 'string') return null;
      return { entry, args: { messageId: args.messageId, text: prev.text + (args.text as string) } };
    }
    if (prevName === name) return { entry, args: { title: args.title } };
  }
  return null;
}

/** Keepalive bodies are capped at 64 KiB by browsers; stay under it. */
const KEEPALIVE_MAX_BYTES = 60 * 1024;

/**
 * The `pagehide` push: every unacknowledged write from the front, the ones being sent included
 * (their push may never be answered now; the server de-duplicates), one clientId, under 60 KiB.
 */
export function keepaliveBatch(entries: readonly OutboxEntry[]): OutboxEntry[] {
  return takeBatch(entries, { maxItems: Infinity, maxBytes: KEEPALIVE_MAX_BYTES }, (state) => state !== 'failed');
}

/**
 * What a failed push means for its batch: `fenced` stops the outbox (another writer took over);
 * `split` halves a batch the server found too large; `retry` waits and sends it again (network,
 * timeouts, 408/429/5xx, unreadable answers, auth until the token is refreshed); `fail` marks
 * every write failed, since no retry can succeed by itself (400/404/422, a 413 for one write).
 */
export function errorAction(error: SyncError, batchLength: number): 'fenced' | 'split' | 'retry' | 'fail' {
  if (error.kind === 'fenced') return 'fenced';
  if (error.status === 413 && batchLength > 1) return 'split';
  if (retriedByItself(error)) return 'retry';
  return 'fail';
}
